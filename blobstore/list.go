package blobstore

import "context"

// ListBlobs lists a container's blobs in Azure's order. It MUST return
// ErrContainerNotFound. With include=metadata, the metadata of every blob is
// returned (and the account key is needed).
func (s *Service) ListBlobs(ctx context.Context, ref ContainerRef, opts ListBlobsOptions) (BlobList, error) {
	return BlobList{}, errNotImplemented
}
