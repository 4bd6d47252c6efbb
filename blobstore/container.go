package blobstore

import "context"

// CreateContainer creates a container. It MUST return ErrInvalidResourceName
// for a name that is not 3-63 characters of lowercase letters, digits and
// single hyphens (not first or last), ErrContainerAlreadyExists when it
// exists, ErrAccountNotFound for an unknown account, and metadata errors
// (ErrInvalidMetadata, ErrEmptyMetadataKey, ErrMetadataTooLarge) for bad
// metadata. The result carries ETag and LastModified.
func (s *Service) CreateContainer(ctx context.Context, ref ContainerRef, opts CreateContainerOptions) (ContainerProperties, error) {
	return ContainerProperties{}, errNotImplemented
}

// GetContainerProperties returns a container's properties including metadata.
// It MUST return ErrContainerNotFound when the container does not exist and
// apply cond.LeaseID (LeaseIdMismatchWithContainerOperation,
// LeaseNotPresentWithContainerOperation).
func (s *Service) GetContainerProperties(ctx context.Context, ref ContainerRef, cond Conditions) (ContainerProperties, error) {
	return ContainerProperties{}, errNotImplemented
}

// GetContainerMetadata is GetContainerProperties (Azure returns the same
// headers minus the public access and lease ones, which the protocol layer drops).
func (s *Service) GetContainerMetadata(ctx context.Context, ref ContainerRef, cond Conditions) (ContainerProperties, error) {
	return s.GetContainerProperties(ctx, ref, cond)
}

// SetContainerMetadata replaces a container's metadata and changes its ETag
// and Last-Modified. It MUST return ErrContainerNotFound, apply the lease
// rules, and evaluate If-Modified-Since (the only condition Azure supports
// here; others are ignored).
func (s *Service) SetContainerMetadata(ctx context.Context, ref ContainerRef, metadata map[string]string, cond Conditions) (ContainerProperties, error) {
	return ContainerProperties{}, errNotImplemented
}

// GetContainerACL returns the public access level and stored access
// policies. It MUST return ErrContainerNotFound and apply cond.LeaseID.
func (s *Service) GetContainerACL(ctx context.Context, ref ContainerRef, cond Conditions) (ContainerACL, error) {
	return ContainerACL{}, errNotImplemented
}

// SetContainerACL replaces the public access level and the stored access
// policies and changes ETag and Last-Modified. It MUST return
// ErrContainerNotFound, ErrInvalidXMLDocument for more than 5 identifiers or
// an id longer than 64 characters, and apply lease and date conditions.
func (s *Service) SetContainerACL(ctx context.Context, ref ContainerRef, opts SetContainerACLOptions) (ContainerProperties, error) {
	return ContainerProperties{}, errNotImplemented
}

// ContainerPolicy looks up the stored access policy `id` of a container for
// the auth layer (storageauth.PolicyLookup). found is false when the
// container has no such identifier; a missing container gives
// ErrContainerNotFound.
func (s *Service) ContainerPolicy(ctx context.Context, ref ContainerRef, id string) (p AccessPolicy, found bool, err error) {
	return AccessPolicy{}, false, errNotImplemented
}

// ContainerPublicAccess returns the container's public access level for
// anonymous requests; ErrContainerNotFound when it does not exist.
func (s *Service) ContainerPublicAccess(ctx context.Context, ref ContainerRef) (PublicAccess, error) {
	return PublicAccessNone, errNotImplemented
}

// DeleteContainer deletes a container and every blob in it (their data files
// are collected). It MUST return ErrContainerNotFound, apply the container
// lease rules (LeaseIdMissing when leased and no id is given), and
// If-Modified-Since / If-Unmodified-Since (ErrConditionNotMet).
func (s *Service) DeleteContainer(ctx context.Context, ref ContainerRef, cond Conditions) error {
	return errNotImplemented
}

// ListContainers lists an account's containers by name. The marker is the
// opaque NextMarker of the previous page.
func (s *Service) ListContainers(ctx context.Context, account string, opts ListContainersOptions) (ContainerList, error) {
	return ContainerList{}, errNotImplemented
}

// LeaseContainer runs a lease action on a container (Lease Container). The
// outcomes follow Azure's lease state table; leases expire on the emulator
// clock. It MUST return ErrContainerNotFound, ErrInvalidHeaderValue for a
// bad duration or break period, ErrMissingRequiredHeader for a missing lease
// id or proposed id, and the Lease* conflict codes.
func (s *Service) LeaseContainer(ctx context.Context, ref ContainerRef, opts LeaseOptions) (LeaseResult, error) {
	return LeaseResult{}, errNotImplemented
}
