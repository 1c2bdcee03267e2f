import Foundation
import QlippyJSON

/// A JWT's header and payload as JSON objects, read without verifying anything: for choosing
/// the verifier and the algorithm, and for reading a claim of a token already verified.
enum JWTParts {
    static func header(of token: String) -> [String: Any]? {
        segment(0, of: token)
    }

    static func payload(of token: String) -> [String: Any]? {
        segment(1, of: token)
    }

    private static func segment(_ index: Int, of token: String) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let json = Base64URL.decode(String(parts[index])) else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    }
}
