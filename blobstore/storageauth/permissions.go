package storageauth

// SAS permission letters (the sp field). Which letters a SAS may carry
// depends on what it is signed for:
//
//	account SAS (blob)     r w d x y l a c u p f t i
//	account SAS (file)     r w d l c
//	service SAS container  r a c w d x l t f m e o p i   (sr=c)
//	service SAS blob       r a c w d x y l t m e o p i   (sr=b, bs, bv, d)
//	service SAS share      r c w d l                     (sr=s)
//	service SAS file       r c w d                       (sr=f)
//
// The verifier does not reject a letter that is foreign to the resource: the
// signature covers sp as sent, and the operation simply finds its letter
// missing (AuthorizationPermissionMismatch), as on Azure.
const (
	PermRead                  byte = 'r' // read content, properties, metadata, block lists; Copy source
	PermAdd                   byte = 'a' // append blocks to an append blob
	PermCreate                byte = 'c' // create a new blob/file/container/share; never overwrite
	PermWrite                 byte = 'w' // create or overwrite content, properties, metadata, leases
	PermDelete                byte = 'd' // delete
	PermDeleteVersion         byte = 'x' // delete a blob version
	PermPermanentDelete       byte = 'y' // permanently delete a soft-deleted snapshot or version
	PermList                  byte = 'l' // list containers/shares, blobs, files and directories
	PermTag                   byte = 't' // get or set blob index tags
	PermFilterByTags          byte = 'f' // Find Blobs by Tags
	PermMove                  byte = 'm' // move (hierarchical namespace)
	PermExecute               byte = 'e' // get system properties (hierarchical namespace)
	PermOwnership             byte = 'o' // set owner or group (hierarchical namespace)
	PermPermissions           byte = 'p' // set permissions (service SAS, hierarchical namespace)
	PermProcess               byte = 'p' // process messages (account SAS; queues)
	PermUpdate                byte = 'u' // update messages and entities (account SAS; queues and tables)
	PermSetImmutabilityPolicy byte = 'i' // set or delete immutability policy and legal hold
)

// Account SAS resource types (the srt field) an operation addresses.
const (
	ResourceService   byte = 's' // service-level APIs: properties, stats, List Containers/Shares
	ResourceContainer byte = 'c' // container/share-level APIs, including listing their content
	ResourceObject    byte = 'o' // blobs, files and directories
)

// Access is what an operation needs from a SAS: the account SAS resource type
// and the permission letters, any one of which suffices. An empty Permission
// means the operation cannot be done with a SAS at all (Get/Set Container ACL,
// Get User Delegation Key): Authenticate then answers
// AuthorizationPermissionMismatch.
type Access struct {
	ResourceType byte
	Permission   byte
	// Alt are further letters that also suffice. Where Alt holds
	// PermCreate, a SAS with only 'c' may create but not overwrite: the handler
	// checks Result.Allows(PermWrite) when the target already exists.
	Alt string
}

// Apply copies a into req.
func (a Access) Apply(req *Request) {
	req.ResourceType = a.ResourceType
	req.Permission = a.Permission
	req.AltPermissions = a.Alt
}

// OperationAccess returns what the REST operation op of service svc needs
// from a SAS. op is the operation's name in the REST reference without
// spaces ("PutBlob", "ListBlobs", "CreateFile"). ok is false for an unknown
// operation; callers then deny SAS access (fail closed).
func OperationAccess(svc Service, op string) (a Access, ok bool) {
	switch svc {
	case ServiceBlob:
		a, ok = blobOperations[op]
	case ServiceFile:
		a, ok = fileOperations[op]
	}
	return a, ok
}

func svcAcc(p byte, alt string) Access { return Access{ResourceService, p, alt} }
func conAcc(p byte, alt string) Access { return Access{ResourceContainer, p, alt} }
func objAcc(p byte, alt string) Access { return Access{ResourceObject, p, alt} }

// Tables per REST reference ("Create an account SAS" and "Create a service
// SAS", Permissions sections). They are read-only after package load.
var blobOperations = map[string]Access{
	// Service level.
	"GetBlobServiceProperties": svcAcc(PermRead, ""),
	"SetBlobServiceProperties": svcAcc(PermWrite, ""),
	"GetBlobServiceStats":      svcAcc(PermRead, ""),
	"ListContainers":           svcAcc(PermList, ""),
	"GetAccountInformation":    svcAcc(PermRead, "acdlpuwxyti"),
	"FindBlobsByTags":          svcAcc(PermFilterByTags, ""),
	"GetUserDelegationKey":     svcAcc(0, ""),
	// Container level.
	"CreateContainer":            conAcc(PermCreate, "w"),
	"GetContainerProperties":     conAcc(PermRead, ""),
	"GetContainerMetadata":       conAcc(PermRead, ""),
	"SetContainerMetadata":       conAcc(PermWrite, ""),
	"GetContainerACL":            conAcc(0, ""),
	"SetContainerACL":            conAcc(0, ""),
	"DeleteContainer":            conAcc(PermDelete, ""),
	"LeaseContainer":             conAcc(PermWrite, ""),
	"BreakContainerLease":        conAcc(PermWrite, "d"),
	"ListBlobs":                  conAcc(PermList, ""),
	"RestoreContainer":           conAcc(PermWrite, ""),
	"FindBlobsByTagsInContainer": conAcc(PermFilterByTags, ""),
	// Blob level.
	"PutBlob":                      objAcc(PermWrite, "c"),
	"PutBlobFromURL":               objAcc(PermWrite, "c"),
	"GetBlob":                      objAcc(PermRead, ""),
	"GetBlobProperties":            objAcc(PermRead, ""),
	"SetBlobProperties":            objAcc(PermWrite, ""),
	"GetBlobMetadata":              objAcc(PermRead, ""),
	"SetBlobMetadata":              objAcc(PermWrite, ""),
	"DeleteBlob":                   objAcc(PermDelete, ""),
	"DeleteBlobVersion":            objAcc(PermDeleteVersion, ""),
	"PermanentDeleteBlob":          objAcc(PermPermanentDelete, ""),
	"UndeleteBlob":                 objAcc(PermWrite, ""),
	"LeaseBlob":                    objAcc(PermWrite, ""),
	"BreakBlobLease":               objAcc(PermWrite, "d"),
	"SnapshotBlob":                 objAcc(PermWrite, "c"),
	"CopyBlob":                     objAcc(PermWrite, "c"),
	"CopyBlobFromURL":              objAcc(PermWrite, "c"),
	"AbortCopyBlob":                objAcc(PermWrite, ""),
	"IncrementalCopyBlob":          objAcc(PermWrite, "c"),
	"PutBlock":                     objAcc(PermWrite, ""),
	"PutBlockFromURL":              objAcc(PermWrite, ""),
	"PutBlockList":                 objAcc(PermWrite, ""),
	"GetBlockList":                 objAcc(PermRead, ""),
	"PutPage":                      objAcc(PermWrite, ""),
	"PutPageFromURL":               objAcc(PermWrite, ""),
	"GetPageRanges":                objAcc(PermRead, ""),
	"AppendBlock":                  objAcc(PermAdd, "w"),
	"AppendBlockFromURL":           objAcc(PermAdd, "w"),
	"SealAppendBlob":               objAcc(PermWrite, ""),
	"SetBlobTier":                  objAcc(PermWrite, ""),
	"SetBlobExpiry":                objAcc(PermWrite, ""),
	"GetBlobTags":                  objAcc(PermTag, ""),
	"SetBlobTags":                  objAcc(PermTag, ""),
	"QueryBlobContents":            objAcc(PermRead, ""),
	"SetBlobImmutabilityPolicy":    objAcc(PermSetImmutabilityPolicy, ""),
	"DeleteBlobImmutabilityPolicy": objAcc(PermSetImmutabilityPolicy, ""),
	"SetBlobLegalHold":             objAcc(PermSetImmutabilityPolicy, ""),
}

var fileOperations = map[string]Access{
	// Service level.
	"GetFileServiceProperties": svcAcc(PermRead, ""),
	"SetFileServiceProperties": svcAcc(PermWrite, ""),
	"ListShares":               svcAcc(PermList, ""),
	// Share level.
	"CreateShare":             conAcc(PermCreate, "w"),
	"GetShareProperties":      conAcc(PermRead, ""),
	"SetShareProperties":      conAcc(PermWrite, ""),
	"GetShareMetadata":        conAcc(PermRead, ""),
	"SetShareMetadata":        conAcc(PermWrite, ""),
	"DeleteShare":             conAcc(PermDelete, ""),
	"GetShareACL":             conAcc(0, ""),
	"SetShareACL":             conAcc(0, ""),
	"GetShareStats":           conAcc(PermRead, ""),
	"SnapshotShare":           conAcc(PermWrite, ""),
	"LeaseShare":              conAcc(PermWrite, ""),
	"CreatePermission":        conAcc(PermWrite, "c"),
	"GetPermission":           conAcc(PermRead, ""),
	"ListDirectoriesAndFiles": conAcc(PermList, ""),
	// Directory and file level.
	"CreateDirectory":        objAcc(PermCreate, "w"),
	"GetDirectoryProperties": objAcc(PermRead, ""),
	"GetDirectoryMetadata":   objAcc(PermRead, ""),
	"SetDirectoryProperties": objAcc(PermWrite, ""),
	"SetDirectoryMetadata":   objAcc(PermWrite, ""),
	"DeleteDirectory":        objAcc(PermDelete, ""),
	"RenameDirectory":        objAcc(PermWrite, ""),
	"ListHandles":            objAcc(PermList, "r"),
	"ForceCloseHandles":      objAcc(PermWrite, ""),
	"CreateFile":             objAcc(PermCreate, "w"),
	"GetFile":                objAcc(PermRead, ""),
	"GetFileProperties":      objAcc(PermRead, ""),
	"SetFileProperties":      objAcc(PermWrite, ""),
	"GetFileMetadata":        objAcc(PermRead, ""),
	"SetFileMetadata":        objAcc(PermWrite, ""),
	"DeleteFile":             objAcc(PermDelete, ""),
	"PutRange":               objAcc(PermWrite, ""),
	"PutRangeFromURL":        objAcc(PermWrite, ""),
	"ListRanges":             objAcc(PermRead, ""),
	"CopyFile":               objAcc(PermWrite, "c"),
	"AbortCopyFile":          objAcc(PermWrite, ""),
	"LeaseFile":              objAcc(PermWrite, ""),
	"RenameFile":             objAcc(PermWrite, ""),
}
