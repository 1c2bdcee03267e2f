import NIOSSL

extension ServerSettings {
    /// The TLS configuration of `--tls-cert` and `--tls-key`, or `nil` for plain HTTP.
    ///
    /// Checked here, at start, by building an SSL context: a missing file, a file that is not
    /// PEM, or a key that is not the certificate's stops the server with one line naming the
    /// setting, instead of failing on the first connection.
    func tlsConfiguration() throws(SettingsError) -> TLSConfiguration? {
        guard let tlsCert, let tlsKey else { return nil }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(tlsCert)
        } catch {
            throw SettingsError(key: .tlsCert, value: tlsCert, expected: "a readable PEM certificate chain")
        }
        guard !chain.isEmpty else { throw SettingsError(key: .tlsCert, value: tlsCert, expected: "a readable PEM certificate chain") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: tlsKey, format: .pem)
        } catch {
            throw SettingsError(key: .tlsKey, value: tlsKey, expected: "a readable PEM private key")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw SettingsError(key: .tlsKey, value: tlsKey, expected: "the private key of \(tlsCert)")
        }
        return configuration
    }
}
