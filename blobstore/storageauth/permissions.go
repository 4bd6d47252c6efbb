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
	// AnyResourceType: an account SAS of any resource type may do it (Get
	// Account Information, served at every level).
	AnyResourceType bool
}

// Apply copies a into req.
func (a Access) Apply(req *Request) {
	req.ResourceType = a.ResourceType
	req.Permission = a.Permission
	req.AltPermissions = a.Alt
	req.AnyResourceType = a.AnyResourceType
}

// OperationAccess returns what the REST operation op of service svc needs
// from a SAS. op is the operation's name in the REST reference without
// spaces ("PutBlob", "ListBlobs", "CreateFile"). ok is false for an unknown
// operation; callers then deny SAS access (fail closed).
func OperationAccess(svc Service, op string) (a Access, ok bool) {
	switch svc {
	case ServiceBlob:
		a, ok = blobOperation(op)
	case ServiceFile:
		a, ok = fileOperation(op)
	case ServiceQueue:
		a, ok = queueOperation(op)
	}
	return a, ok
}

func svcAcc(p byte, alt string) Access { return Access{ResourceService, p, alt, false} }
func conAcc(p byte, alt string) Access { return Access{ResourceContainer, p, alt, false} }
func objAcc(p byte, alt string) Access { return Access{ResourceObject, p, alt, false} }

// Tables per REST reference ("Create an account SAS" and "Create a service
// SAS", Permissions sections).
func blobOperation(op string) (Access, bool) {
	switch op {
	// Service level.
	case "GetBlobServiceProperties":
		return svcAcc(PermRead, ""), true
	case "SetBlobServiceProperties":
		return svcAcc(PermWrite, ""), true
	case "GetBlobServiceStats":
		return svcAcc(PermRead, ""), true
	case "ListContainers":
		return svcAcc(PermList, ""), true
	case "GetAccountInformation":
		// Any resource type and any permission will do.
		return Access{ResourceService, PermRead, "acdlpuwxytfi", true}, true
	case "FindBlobsByTags":
		return svcAcc(PermFilterByTags, ""), true
	case "GetUserDelegationKey":
		return svcAcc(0, ""), true
	// Container level.
	case "CreateContainer":
		return conAcc(PermCreate, "w"), true
	case "GetContainerProperties":
		return conAcc(PermRead, ""), true
	case "GetContainerMetadata":
		return conAcc(PermRead, ""), true
	case "SetContainerMetadata":
		return conAcc(PermWrite, ""), true
	case "GetContainerACL":
		return conAcc(0, ""), true
	case "SetContainerACL":
		return conAcc(0, ""), true
	case "DeleteContainer":
		return conAcc(PermDelete, ""), true
	case "LeaseContainer":
		return conAcc(PermWrite, ""), true
	case "BreakContainerLease":
		return conAcc(PermWrite, "d"), true
	case "ListBlobs":
		return conAcc(PermList, ""), true
	case "RestoreContainer":
		return conAcc(PermWrite, ""), true
	case "FindBlobsByTagsInContainer":
		return conAcc(PermFilterByTags, ""), true
	// Blob level.
	case "PutBlob":
		return objAcc(PermWrite, "c"), true
	case "CreateAppendBlob", "PutPageBlob": // Put Blob of an append or page blob
		return objAcc(PermWrite, "c"), true
	case "PutBlobFromURL":
		return objAcc(PermWrite, "c"), true
	case "GetBlob":
		return objAcc(PermRead, ""), true
	case "GetBlobProperties":
		return objAcc(PermRead, ""), true
	case "SetBlobProperties":
		return objAcc(PermWrite, ""), true
	case "GetBlobMetadata":
		return objAcc(PermRead, ""), true
	case "SetBlobMetadata":
		return objAcc(PermWrite, ""), true
	case "DeleteBlob":
		return objAcc(PermDelete, ""), true
	case "DeleteBlobVersion":
		return objAcc(PermDeleteVersion, ""), true
	case "PermanentDeleteBlob":
		return objAcc(PermPermanentDelete, ""), true
	case "UndeleteBlob":
		return objAcc(PermWrite, ""), true
	case "LeaseBlob":
		return objAcc(PermWrite, ""), true
	case "BreakBlobLease":
		return objAcc(PermWrite, "d"), true
	case "SnapshotBlob":
		return objAcc(PermWrite, "c"), true
	case "CopyBlob":
		return objAcc(PermWrite, "c"), true
	case "CopyBlobFromURL":
		return objAcc(PermWrite, "c"), true
	case "AbortCopyBlob":
		return objAcc(PermWrite, ""), true
	case "IncrementalCopyBlob":
		return objAcc(PermWrite, "c"), true
	case "PutBlock":
		return objAcc(PermWrite, ""), true
	case "PutBlockFromURL":
		return objAcc(PermWrite, ""), true
	case "PutBlockList":
		return objAcc(PermWrite, ""), true
	case "GetBlockList":
		return objAcc(PermRead, ""), true
	case "PutPage":
		return objAcc(PermWrite, ""), true
	case "PutPageFromURL":
		return objAcc(PermWrite, ""), true
	case "GetPageRanges":
		return objAcc(PermRead, ""), true
	case "AppendBlock":
		return objAcc(PermAdd, "w"), true
	case "AppendBlockFromURL":
		return objAcc(PermAdd, "w"), true
	case "SealAppendBlob":
		return objAcc(PermWrite, ""), true
	case "SetBlobTier":
		return objAcc(PermWrite, ""), true
	case "SetBlobExpiry":
		return objAcc(PermWrite, ""), true
	case "GetBlobTags":
		return objAcc(PermTag, ""), true
	case "SetBlobTags":
		return objAcc(PermTag, ""), true
	case "QueryBlobContents":
		return objAcc(PermRead, ""), true
	case "SetBlobImmutabilityPolicy":
		return objAcc(PermSetImmutabilityPolicy, ""), true
	case "DeleteBlobImmutabilityPolicy":
		return objAcc(PermSetImmutabilityPolicy, ""), true
	case "SetBlobLegalHold":
		return objAcc(PermSetImmutabilityPolicy, ""), true
	}
	return Access{}, false
}

func fileOperation(op string) (Access, bool) {
	switch op {
	// Service level.
	case "GetFileServiceProperties":
		return svcAcc(PermRead, ""), true
	case "SetFileServiceProperties":
		return svcAcc(PermWrite, ""), true
	case "ListShares":
		return svcAcc(PermList, ""), true
	// Share level.
	case "CreateShare":
		return conAcc(PermCreate, "w"), true
	case "GetShareProperties":
		return conAcc(PermRead, ""), true
	case "SetShareProperties":
		return conAcc(PermWrite, ""), true
	case "GetShareMetadata":
		return conAcc(PermRead, ""), true
	case "SetShareMetadata":
		return conAcc(PermWrite, ""), true
	case "DeleteShare":
		return conAcc(PermDelete, ""), true
	case "GetShareACL":
		return conAcc(0, ""), true
	case "SetShareACL":
		return conAcc(0, ""), true
	case "GetShareStats":
		return conAcc(PermRead, ""), true
	case "SnapshotShare":
		return conAcc(PermWrite, ""), true
	case "LeaseShare":
		return conAcc(PermWrite, ""), true
	case "CreatePermission":
		return conAcc(PermWrite, "c"), true
	case "GetPermission":
		return conAcc(PermRead, ""), true
	case "ListDirectoriesAndFiles":
		return conAcc(PermList, ""), true
	// Directory and file level.
	case "CreateDirectory":
		return objAcc(PermCreate, "w"), true
	case "GetDirectoryProperties":
		return objAcc(PermRead, ""), true
	case "GetDirectoryMetadata":
		return objAcc(PermRead, ""), true
	case "SetDirectoryProperties":
		return objAcc(PermWrite, ""), true
	case "SetDirectoryMetadata":
		return objAcc(PermWrite, ""), true
	case "DeleteDirectory":
		return objAcc(PermDelete, ""), true
	case "RenameDirectory":
		return objAcc(PermWrite, ""), true
	case "ListHandles":
		return objAcc(PermList, "r"), true
	case "ForceCloseHandles":
		return objAcc(PermWrite, ""), true
	case "CreateFile":
		return objAcc(PermCreate, "w"), true
	case "GetFile":
		return objAcc(PermRead, ""), true
	case "GetFileProperties":
		return objAcc(PermRead, ""), true
	case "SetFileProperties":
		return objAcc(PermWrite, ""), true
	case "GetFileMetadata":
		return objAcc(PermRead, ""), true
	case "SetFileMetadata":
		return objAcc(PermWrite, ""), true
	case "DeleteFile":
		return objAcc(PermDelete, ""), true
	case "PutRange":
		return objAcc(PermWrite, ""), true
	case "PutRangeFromURL":
		return objAcc(PermWrite, ""), true
	case "ListRanges":
		return objAcc(PermRead, ""), true
	case "CopyFile":
		return objAcc(PermWrite, "c"), true
	case "AbortCopyFile":
		return objAcc(PermWrite, ""), true
	case "LeaseFile":
		return objAcc(PermWrite, ""), true
	case "RenameFile":
		return objAcc(PermWrite, ""), true
	}
	return Access{}, false
}
