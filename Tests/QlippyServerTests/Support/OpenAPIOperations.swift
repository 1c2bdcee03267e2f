import Foundation
import HTTPTypes
import QlippyModel
import QlippyTestSupport
import Testing

@testable import QlippyServer

/// The operations the server's OpenAPI document lists, read from the document the binary embeds.
enum OpenAPIOperations {
    struct Operation: Hashable, CustomStringConvertible {
        var method: HTTPRequest.Method
        /// As the document writes it: `/api/users/{user_id}`.
        var path: String
        var isOpen: Bool

        /// The path with every parameter filled by the nil UUID, ready to request.
        var samplePath: String {
            path.replacingOccurrences(of: #"\{[a-z_]+\}"#, with: "00000000-0000-0000-0000-000000000000", options: .regularExpression)
        }

        /// The path with each `{parameter}` replaced by its value in `values` (the nil UUID if absent).
        func path(with values: [String: String]) -> String {
            var filled = path
            while let match = filled.firstMatch(of: #/\{([a-z_]+)\}/#) {
                filled.replaceSubrange(match.range, with: values[String(match.1)] ?? "00000000-0000-0000-0000-000000000000")
            }
            return filled
        }

        var description: String { "\(method.rawValue) \(path)" }
    }

    /// The document a server in `mode` serves.
    static func document(mode: AuthMode = .token, shareLinks: ShareLinkPolicy = .public) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(OpenAPIController.document(for: mode, shareLinks: shareLinks).readableBytesView))
            as! [String: Any]
    }

    /// Every operation of `mode`'s document; `isOpen` when it overrides the document's security
    /// with none (health, and in accounts mode signing in).
    static func all(mode: AuthMode = .token, shareLinks: ShareLinkPolicy = .public) throws -> [Operation] {
        try operations(in: document(mode: mode, shareLinks: shareLinks))
    }

    /// The operations of a document, such as the one a running server serves.
    static func operations(in document: [String: Any]) throws -> [Operation] {
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        return paths.flatMap { path, item in
            item.compactMap { key, value -> Operation? in
                guard let method = HTTPRequest.Method(key.uppercased()), let operation = value as? [String: Any] else { return nil }
                let security = operation["security"] as? [Any]
                return Operation(method: method, path: path, isOpen: security?.isEmpty == true)
            }
        }.sorted { $0.description < $1.description }
    }
}
