#!/usr/bin/env bash
# Test certificates for tests/system/tls_test.c, into DIR: one CA, a server
# certificate for localhost (subjectAltName DNS:localhost), a client
# certificate of that CA, and a CA of its own with a client certificate of
# it (a stranger). EC P-256 keys: quick to make, and mbedTLS takes them.
set -euo pipefail
dir=$1
cd "$dir"
key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; }
ca() { # NAME SUBJECT
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 2 -sha256 -out "$1.crt" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
leaf() { # NAME CA SUBJECT EXTENSIONS
    key "$1.key"
    openssl req -new -key "$1.key" -subj "/CN=$3" -out "$1.csr" 2>/dev/null
    printf '%s\n' "$4" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 2 -sha256 \
        -extfile "$1.ext" -out "$1.crt" 2>/dev/null
}
ca ca "fx test CA"
leaf server ca localhost "subjectAltName=DNS:localhost
extendedKeyUsage=serverAuth"
leaf client ca "fx test client" "extendedKeyUsage=clientAuth"
ca other-ca "another CA"
leaf other-client other-ca "a stranger" "extendedKeyUsage=clientAuth"
chmod 600 ./*.key
