# azemu: Azure Blob Storage, Azure Files and Key Vault emulator, encrypting at rest.
# docker build -t azemu . && docker run -p 10000:10000 -p 10003:10003 -p 8443:8443 -v azemu:/data azemu
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/azemu ./cmd/azemu \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/azemu /azemu
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
VOLUME /data
EXPOSE 10000 10003 8443
ENV AZEMU_DATA=/data AZEMU_HOST=0.0.0.0
HEALTHCHECK --interval=10s --timeout=3s CMD ["/azemu", "health"]
ENTRYPOINT ["/azemu"]
