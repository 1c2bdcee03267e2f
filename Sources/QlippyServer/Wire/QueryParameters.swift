import Foundation

/// A URL's query parameters as HTML forms encode them: `+` is a space and `%XX` a byte.
///
/// Hummingbird's `queryParameters` decodes `%XX` but keeps `+`, so a browser's `q=hello+world`
/// would search for "hello+world"; the original backend (Flask) read it as "hello world".
struct QueryParameters {
    private var values: [String: String] = [:]

    init(_ query: String?) {
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(parts[0])
            // The first occurrence wins, as in Flask's `request.args.get`.
            if values[key] == nil {
                values[key] = parts.count > 1 ? Self.decode(parts[1]) : ""
            }
        }
    }

    subscript(name: String) -> String? { values[name] }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
