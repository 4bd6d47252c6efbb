package emulator

import (
	"encoding/json"
	"strings"

	"github.com/azemu/azemu/emulator/management/armapi"
)

// AzureCLICloudName is the name "az cloud register" gives azemu's cloud.
const AzureCLICloudName = "azemu"

// AzureCLICloudRegisterArgs are the arguments of "az cloud register" that
// make the Azure CLI treat this instance as a cloud: ARM and Microsoft Graph
// at the HTTPS endpoint, storage at https://<account>.blob.core.localhost:<port>
// and vaults at https://<vault>.vault.localhost:<port>. The CLI reads the
// login endpoint (an ADFS-style authority) and the token audience from ARM's
// /metadata/endpoints.
func (e *Emulator) AzureCLICloudRegisterArgs() []string {
	c := armapi.Cloud(e.vaultURL)
	config, _ := json.Marshal(map[string]any{
		"endpoints": map[string]string{"resourceManager": c.ResourceManager, "microsoftGraphResourceId": c.Graph},
		"suffixes":  map[string]string{"storageEndpoint": c.StorageSuffix, "keyvaultDns": "." + c.KeyVaultSuffix},
	})
	return []string{"cloud", "register", "--name", AzureCLICloudName, "--cloud-config", string(config)}
}

// AzureCLICloudRegister is AzureCLICloudRegisterArgs as a shell command line,
// for the start banner and the README.
func (e *Emulator) AzureCLICloudRegister() string {
	args := e.AzureCLICloudRegisterArgs()
	quoted := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, ` "{}':,`) {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		quoted[i] = a
	}
	return "az " + strings.Join(quoted, " ")
}
