package emulator

import (
	"context"
	"net"
	"strconv"

	"github.com/azemu/azemu/emulator/console"
)

// requestLogSize is how many requests the console's live log keeps.
const requestLogSize = 2000

func newRequestLog() *console.RequestLog {
	return console.NewRequestLog(requestLogSize, map[string]string{
		DevObjectID: "development principal",
		DevClientID: "development principal",
	})
}

// listenConsole binds the console's port on ConsoleHost (127.0.0.1 unless
// told otherwise: the console acts with the development principal's rights).
func (e *Emulator) listenConsole() (net.Listener, error) {
	if e.cfg.ConsolePort < 0 {
		return nil, nil
	}
	host := e.cfg.ConsoleHost
	if host == "" {
		host = "127.0.0.1"
	}
	return net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(e.cfg.ConsolePort)))
}

// buildConsole makes the web console for the bound console listener: a
// client of the emulator's own endpoints acting as the development
// principal. startServing serves it.
func (e *Emulator) buildConsole(context.Context) error {
	ln := e.consoleLn
	if ln == nil {
		return nil
	}
	if e.vaultURL == "" {
		// Without the HTTPS listener there are no tokens to act with.
		e.log.Warn("the console is off because the vault port is off")
		e.consoleLn = nil
		return ln.Close()
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	hosts := []string{"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port}
	if h := e.cfg.ConsoleHost; h != "" && h != "127.0.0.1" && h != "localhost" && !net.ParseIP(h).IsUnspecified() {
		hosts = append(hosts, net.JoinHostPort(h, port))
	}
	client := e.HTTPClient()
	c, err := console.New(console.Config{
		Hosts:    hosts,
		BlobURL:  e.blobURL,
		FileURL:  e.fileURL,
		HTTPSURL: e.vaultURL,
		Client:   client,
		Tokens: &console.ClientSecretTokens{Authority: e.vaultURL, TenantID: DevTenantID,
			ClientID: DevClientID, Secret: DevClientSecret, Client: client},
		Log:           e.reqlog,
		Subscription:  DevSubscription,
		ResourceGroup: DevResourceGroup,
		Logger:        e.log,
		Now:           e.cfg.Now,
	})
	if err != nil {
		return err
	}
	e.consoleURL = "http://" + hosts[0]
	e.consoleHandler = c.Handler()
	return nil
}

// ConsoleURL is the web console's address, e.g. http://127.0.0.1:10010
// ("" when it is off).
func (e *Emulator) ConsoleURL() string { return e.consoleURL }
