"""Throwaway certificates for mutual-TLS tests: a CA, a server certificate for 127.0.0.1 and
localhost, a client certificate, and a second CA that signed neither (a wrong trust)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shared.http import ClientTls

Key = ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Certificates:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path  # a CA that signed neither certificate
    other_key: Path  # a key that is not the client certificate's

    @property
    def client(self) -> ClientTls:
        """The client certificate, trusting the CA that signed the server's."""
        return ClientTls(self.client_cert, self.client_key, self.ca)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject: str, key: Key, issuer: str, issuer_key: Key, *,
                 ca: bool = False, extensions: tuple[x509.ExtensionType, ...] = ()
                 ) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(minutes=5))
               .not_valid_after(now + timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, encipher_only=False,
                          decipher_only=False), critical=True,
        ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                        critical=False)
    else:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False)
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write_key(path: Path, key: Key) -> Path:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path


def _write_cert(path: Path, certificate: x509.Certificate) -> Path:
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def issue_certificates(directory: Path) -> Certificates:
    """Write a fresh set of certificates and keys (PEM) into ``directory``."""
    ca_key, server_key, client_key, other_key = (ec.generate_private_key(ec.SECP256R1())
                                                 for _ in range(4))
    ca = _certificate("test bank CA", ca_key, "test bank CA", ca_key, ca=True)
    server = _certificate("127.0.0.1", server_key, "test bank CA", ca_key, extensions=(
        x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                     x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
        x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])))
    client = _certificate("warranty-payouts", client_key, "test bank CA", ca_key,
                          extensions=(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),))
    other_ca = _certificate("another CA", other_key, "another CA", other_key, ca=True)
    return Certificates(
        ca=_write_cert(directory / "ca.pem", ca),
        server_cert=_write_cert(directory / "server.pem", server),
        server_key=_write_key(directory / "server-key.pem", server_key),
        client_cert=_write_cert(directory / "client.pem", client),
        client_key=_write_key(directory / "client-key.pem", client_key),
        other_ca=_write_cert(directory / "other-ca.pem", other_ca),
        other_key=_write_key(directory / "other-key.pem", other_key),
    )
