# azemu: Azure Blob Storage, Azure Files and Key Vault emulator, encrypting at rest.
#
#   docker build -t azemu .
#   docker run -p 10000:10000 -p 10003:10003 -p 8443:8443 -v azemu:/data azemu
#   docker run --user "$(id -u):$(id -g)" -v "$PWD/azemu-data:/data" ... azemu   # a bind mount you own
#   docker run ... azemu --in-memory                                             # no volume at all
#
# The health check finds the instance through its status file, so it follows
# --blob-port/--vault-port given as flags or AZEMU_* variables. --in-memory
# keeps storage in the temp folder when /dev/shm is Docker's small default.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/azemu ./cmd/azemu \
 && mkdir -p /out/data /out/run/azemu /out/tmp \
 && chmod 1777 /out/data /out/run/azemu /out/tmp

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/azemu /azemu
# World-writable with the sticky bit, so that any --user can use a fresh
# named volume (Docker copies this folder's mode into it) and the status
# folder; azemu makes everything inside mode 0700.
COPY --from=build --chown=nonroot:nonroot /out/data /data
COPY --from=build --chown=nonroot:nonroot /out/run/azemu /run/azemu
COPY --from=build --chown=nonroot:nonroot /out/tmp /tmp
USER nonroot:nonroot
VOLUME /data
EXPOSE 10000 10003 8443
ENV AZEMU_DATA=/data AZEMU_HOST=0.0.0.0 AZEMU_STATUS_FILE=/run/azemu/status.json TMPDIR=/tmp
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s CMD ["/azemu", "health"]
ENTRYPOINT ["/azemu"]
