import NIOCore

/// An address block in CIDR notation (`10.0.0.0/8`, `fd00::/8`, or one address): the proxies
/// whose user header the server believes (`--trusted-proxies`).
public struct AddressRange: Sendable, Equatable {
    private let network: [UInt8]
    private let prefixLength: Int

    /// `nil` for text that is not an IPv4 or IPv6 address with an optional `/prefix`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let bytes = Self.bytes(of: parts[0]) else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
        guard let length, (0...bytes.count * 8).contains(length) else { return nil }
        network = bytes
        prefixLength = length
    }

    func contains(_ address: SocketAddress) -> Bool {
        guard var bytes = address.ipAddress.flatMap(Self.bytes(of:)) else { return false }
        // An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d.
        if bytes.count == 16, network.count == 4, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        guard bytes.count == network.count else { return false }
        for bit in 0..<prefixLength where (bytes[bit / 8] ^ network[bit / 8]) & (0x80 >> (bit % 8)) != 0 {
            return false
        }
        return true
    }

    private static func bytes(of text: String) -> [UInt8]? {
        guard let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        switch address {
        case .v4(let ip): return withUnsafeBytes(of: ip.address.sin_addr) { Array($0) }
        case .v6(let ip): return withUnsafeBytes(of: ip.address.sin6_addr) { Array($0) }
        case .unixDomainSocket: return nil
        }
    }
}
