import Foundation
import Testing

@testable import QlippyJSON

/// The pull reader: values as `JSONDecoder` reads them, and ``JSONReader/Unusual`` where it
/// leaves a value to `JSONDecoder`.
@Suite("JSON reader")
struct JSONReaderTests {
    @Test func readsEachKindAndSkipsWhatItIsNotAskedFor() throws {
        let json =
            #" {"skip": [1, {"a": [true, null, "x\"]"]}, -2.5e3], "s": "a\u00e9\ud83d\ude80\n\/", "n": -12.5E-1, "b": false, "z": null} "#
        var found: [String] = []
        try read(json) { reader in
            try reader.object { reader, key in
                switch String(decoding: key, as: UTF8.self) {
                case "s": found.append(try reader.string())
                case "n": found.append("\(try reader.number())")
                case "b": found.append("\(try reader.bool())")
                case "z": try reader.null()
                default: try reader.skip()
                }
            }
            try reader.expectEnd()
        }
        #expect(found == ["aé🚀\n/", "-1.25", "false"])
    }

    @Test func aValueOfAnotherKindIsPassedOverByLenient() throws {
        var kinds: [String] = []
        try read(#"[1, "a", null, {"b": 2}, [3]]"#) { reader in
            try reader.array { reader in
                switch try reader.lenient(.string, { try $0.string() }) {
                case .value(let text): kinds.append(text)
                case .null: kinds.append("null")
                case .otherKind: kinds.append("other")
                }
            }
        }
        #expect(kinds == ["other", "a", "null", "other", "other"])
    }

    @Test(arguments: [
        #""\ud800""#, #""\udc00x""#, #""\ud800\u0041""#, #""\x""#, #""tab\#there""#, "1e999", "\"open", "{\"a\" 1}", "[1 2]", "@",
    ])
    func leavesTheUnusual(json: String) {
        #expect(throws: JSONReader.Unusual.self) {
            try read(json) { reader in
                if try reader.kind() == .string { _ = try reader.string() } else { try reader.skip() }
                try reader.expectEnd()
            }
        }
    }

    private func read(_ json: String, _ body: (inout JSONReader) throws -> Void) throws {
        try Data(json.utf8).withUnsafeBytes { bytes in
            var reader = JSONReader(bytes)
            try body(&reader)
        }
    }
}
