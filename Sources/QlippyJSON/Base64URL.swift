import Foundation

/// The text of every cursor the API hands out (pages and search): base64url without padding
/// (RFC 4648 §5), so that a cursor goes into a query string as it is.
public enum Base64URL {
    public static func encode(_ text: String) -> String {
        encode(bytes: Data(text.utf8))
    }

    public static func encode(bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The UTF-8 text `encoded` holds; `nil` when it is not base64url of UTF-8.
    public static func decode(_ encoded: String) -> String? {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
