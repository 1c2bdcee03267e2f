import Foundation
import QlippyModel
import QlippyTestSupport
import Testing

/// HTTPS served directly (`--tls-cert`, `--tls-key`), with a throwaway certificate made by openssl.
@Suite("HTTPS")
struct TLSTests {
    /// A self-signed certificate for localhost and 127.0.0.1, and its key, in a fresh folder.
    static func makeCertificate() async throws -> (cert: String, key: String) {
        let folder = try makeTemporaryDirectory()
        let cert = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let made = try await Command.run(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert,
            ])
        try #require(made.status == 0, "openssl: \(made.stderr)")
        return (cert, key)
    }

    @Test func servesHTTPSAndRefusesPlainHTTPCleanly() async throws {
        let (cert, key) = try await Self.makeCertificate()
        let database = try makeTemporaryDirectory().appendingPathComponent("qlippy.db").path
        let server = try await ServerProcess(database: database, arguments: ["--tls-cert", cert, "--tls-key", key])
        #expect(server.output.contains("address=https://127.0.0.1:\(server.port)"))

        let created = try await Command.run(
            "curl",
            [
                "-sS", "--cacert", cert, "-H", "Content-Type: application/json", "-d", #"{"username": "ada"}"#,
                "https://127.0.0.1:\(server.port)/api/users",
            ])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains(#""username":"ada""#))

        let plain = try await RawHTTP.exchange(port: server.port, RawHTTP.request("GET", "/api/health"), wait: .seconds(5))
        #expect(plain.closed, "plain HTTP on the TLS port is closed")
        #expect(!plain.reply.contains("200 OK"))

        let untrusted = try await Command.run("curl", ["-sS", "https://127.0.0.1:\(server.port)/api/health"])
        #expect(untrusted.status != 0, "a client that does not trust the certificate refuses it")

        let health = try await Command.run("curl", ["-sS", "--cacert", cert, "https://localhost:\(server.port)/api/health"])
        #expect(health.stdout.contains(#""status":"healthy""#), "still serving after the refused connections")
        #expect(try await server.stop() == 0)
    }

    @Test func aKeyThatIsNotTheCertificatesIsRefusedAtStart() async throws {
        let (cert, _) = try await Self.makeCertificate()
        let (_, otherKey) = try await Self.makeCertificate()
        let database = try makeTemporaryDirectory().appendingPathComponent("qlippy.db").path
        let outcome = try await Command.run(ServerProcess.binary.path, ["--database", database, "--tls-cert", cert, "--tls-key", otherKey])
        #expect(outcome.status == 1)
        #expect(
            outcome.stderr
                == "qlippy-server: error: invalid --tls-key / QLIPPY_TLS_KEY value '\(otherKey)': expected the private key of \(cert)\n")
        #expect(!FileManager.default.fileExists(atPath: database), "refused before the database is touched")
    }
}
