package storageauth

// ServiceQueue is the Queue service (account SAS "ss" letter 'q').
const ServiceQueue Service = 'q'

// queueOperation is what each Queue REST operation needs from a SAS, per
// "Create an account SAS" and "Create a service SAS" (Permissions sections:
// https://learn.microsoft.com/rest/api/storageservices/create-account-sas,
// https://learn.microsoft.com/rest/api/storageservices/create-service-sas).
// A service SAS for a queue signs r (read metadata, peek), a (add), u
// (update) and p (process: get and delete); an account SAS adds l (list
// queues), c (create), w (set metadata and service properties) and d
// (delete queue). Get/Set Queue ACL take no SAS at all.
func queueOperation(op string) (Access, bool) {
	switch op {
	// Service level.
	case "GetQueueServiceProperties", "GetQueueServiceStats":
		return svcAcc(PermRead, ""), true
	case "SetQueueServiceProperties":
		return svcAcc(PermWrite, ""), true
	case "ListQueues":
		return svcAcc(PermList, ""), true
	// Queue level.
	case "CreateQueue":
		return conAcc(PermCreate, "w"), true
	case "DeleteQueue":
		return conAcc(PermDelete, ""), true
	case "GetQueueMetadata":
		return conAcc(PermRead, ""), true
	case "SetQueueMetadata":
		return conAcc(PermWrite, ""), true
	case "GetQueueACL", "SetQueueACL":
		return conAcc(0, ""), true
	// Messages.
	case "PutMessage":
		return objAcc(PermAdd, ""), true
	case "GetMessages":
		return objAcc(PermProcess, ""), true
	case "PeekMessages":
		return objAcc(PermRead, ""), true
	case "DeleteMessage":
		return objAcc(PermProcess, ""), true
	case "UpdateMessage":
		return objAcc(PermUpdate, ""), true
	case "ClearMessages":
		return objAcc(PermDelete, ""), true
	}
	return Access{}, false
}

// queueCanonicalResource is what a Queue service SAS signs: /queue/<account>/<queue>.
// It has no sr field; one SAS covers the queue and its messages.
func queueCanonicalResource(req Request) (string, error) {
	if req.Container == "" {
		return "", authFailed("The specified signed resource is not allowed for the this resource level")
	}
	return "/queue/" + req.Account + "/" + req.Container, nil
}
