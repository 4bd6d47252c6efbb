package management

import "strings"

// Queue key types (encryption.services.queue.keyType): with "Account" the
// account's queue data follows its customer-managed key; with "Service",
// Azure's default, it stays under a Microsoft-managed key. The ARM spec
// marks keyType create-only (x-ms-mutability create, read).
// https://learn.microsoft.com/azure/storage/common/account-encryption-key-create
const (
	QueueKeyTypeAccount = "Account"
	QueueKeyTypeService = "Service"
)

// queueKeyType reads encryption.services.queue.keyType of a create request:
// "" (Service) when absent, 400 for a value that is neither Service nor
// Account.
func queueKeyType(in *EncryptionSpec) (string, error) {
	if in == nil || in.Services == nil || in.Services.Queue == nil || in.Services.Queue.KeyType == "" {
		return "", nil
	}
	switch {
	case strings.EqualFold(in.Services.Queue.KeyType, QueueKeyTypeAccount):
		return QueueKeyTypeAccount, nil
	case strings.EqualFold(in.Services.Queue.KeyType, QueueKeyTypeService):
		return "", nil
	}
	return "", newError(statusBadRequest, CodeInvalidRequestPropertyValue,
		"The value '%s' of encryption.services.queue.keyType is not valid; use Service or Account.", in.Services.Queue.KeyType)
}

// QueueKeyType returns the queue key type of a storage account created
// through the management plane: QueueKeyTypeAccount or QueueKeyTypeService
// (also for accounts it does not know, such as devstoreaccount1).
func (s *Service) QueueKeyType(account string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.st.Accounts[account]; ok && a.Encryption.QueueKeyType == QueueKeyTypeAccount {
		return QueueKeyTypeAccount
	}
	return QueueKeyTypeService
}
