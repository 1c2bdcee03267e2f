import Foundation

/// Where a file stops being JSON, said as an import's error says it: what went wrong, at line,
/// column and byte. The decoder only says that a file is not JSON; Foundation's parser says
/// "around character N" (a byte offset) or that the file ended.
package struct JSONSyntaxProblem: Equatable {
    /// What went wrong: "Invalid value", or that the file ended in the middle of a value.
    package var what: String
    /// The byte where it went wrong; `nil` when the parser did not say.
    package var offset: Int?

    package static func endOfFile(at offset: Int) -> JSONSyntaxProblem {
        JSONSyntaxProblem(what: "the file ends in the middle of a value,", offset: offset)
    }

    /// The first problem in `data`, or `nil` when it is JSON.
    package static func find(in data: Data) -> JSONSyntaxProblem? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            if detail.hasPrefix("Unexpected end of file") { return .endOfFile(at: data.count) }
            guard let match = detail.firstMatch(of: /around (?:character|line \d+, column) (\d+)/), let offset = Int(match.1) else {
                return JSONSyntaxProblem(what: detail, offset: nil)
            }
            return JSONSyntaxProblem(what: String(detail.split(separator: " around").first ?? "invalid value"), offset: offset)
        }
    }

    /// "Invalid value at line 2, column 13 (byte 40)", the position counted in `data`.
    package func described(in data: Data) -> String {
        guard let offset else { return what }
        return "\(what) at \(Self.position(of: offset, in: data))"
    }

    package static func position(of offset: Int, in data: Data) -> String {
        let before = data.prefix(offset)
        let line = before.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 - data.startIndex + 1 } ?? 0) + 1
        return "line \(line), column \(column) (byte \(offset))"
    }
}
