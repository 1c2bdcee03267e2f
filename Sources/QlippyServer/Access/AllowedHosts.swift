/// The host names this server answers to, checked against every request's `Host` before routing.
///
/// A server on loopback is no wall against web pages: a page can rebind its own domain to
/// 127.0.0.1 (DNS rebinding) and then reach the server through the user's browser, with its own
/// name in `Host`. A page cannot make the browser send `Host: localhost`, so the loopback names
/// are always accepted, on any port; any other name must be listed (`--allowed-hosts`), as
/// Jupyter, Vite (`server.allowedHosts`) and Ollama do. The address the server listens on is
/// accepted too when it is one address, not a wildcard.
public struct AllowedHosts: Sendable, Equatable {
    /// Names accepted exactly, lowercase, without port or IPv6 brackets.
    private var names: Set<String>
    /// Names given as `.example.com`: every name ending so, and `example.com` itself.
    private var suffixes: [String]

    static let loopbackNames: Set<String> = ["localhost", "127.0.0.1", "::1"]

    /// `listed`: `--allowed-hosts`, each a host name or `.domain`; `boundHost`: `--host`.
    public init(listed: [String], boundHost: String) {
        names = Self.loopbackNames
        suffixes = []
        for entry in listed.map({ $0.lowercased() }) {
            if entry.hasPrefix(".") {
                suffixes.append(entry)
                names.insert(String(entry.dropFirst()))
            } else {
                names.insert(entry)
            }
        }
        if !["0.0.0.0", "::", "*"].contains(boundHost) { names.insert(boundHost.lowercased()) }
    }

    /// Whether a request with this `Host` (its authority) is answered.
    func permits(_ authority: String) -> Bool {
        guard let name = Self.hostName(of: authority) else { return false }
        return names.contains(name) || suffixes.contains { name.hasSuffix($0) }
    }

    /// The lowercase host of `name[:port]` or `[v6][:port]`; `nil` for an authority that is not one,
    /// or that holds a byte outside printable ASCII (no listed name does). Works on the UTF-8
    /// bytes: this runs for every request.
    static func hostName(of authority: String) -> String? {
        var authority = authority
        return authority.withUTF8 { bytes in
            var start = 0
            var end = bytes.count
            if end > 0, bytes[0] == UInt8(ascii: "[") {
                guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
                guard close + 1 == end || bytes[close + 1] == UInt8(ascii: ":") && isPort(bytes[(close + 2)...]) else { return nil }
                start = 1
                end = close
            } else if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
                guard isPort(bytes[(colon + 1)...]) else { return nil }
                end = colon
            }
            let host = bytes[start..<end]
            guard !host.isEmpty, host.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "@") && $0 != UInt8(ascii: "/") })
            else { return nil }
            return String(unsafeUninitializedCapacity: host.count) { lowercase in
                for (offset, byte) in host.enumerated() {
                    lowercase[offset] = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
                }
                return host.count
            }
        }
    }

    private static func isPort(_ digits: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        (1...5).contains(digits.count) && digits.allSatisfy { $0 &- UInt8(ascii: "0") <= 9 }
    }

    /// Whether `entry` can be listed: a host name, an IPv4 address, or `.domain`; no port, no scheme.
    static func isValidEntry(_ entry: String) -> Bool {
        let name = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
        return !name.isEmpty && name.count <= 253 && name.allSatisfy(allowed.contains) && !name.hasPrefix(".") && !name.hasSuffix(".")
    }
}
