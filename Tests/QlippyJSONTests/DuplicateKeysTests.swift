import Testing

@testable import QlippyJSON

/// The top-level duplicate-key scan, on the escapes that could fool it.
@Suite("Duplicate keys")
struct DuplicateKeysTests {
    @Test(
        arguments: [
            (#"{"a": 1, "a": 2}"#, "a"),
            (#"{"a": "\\", "a": 1}"#, "a"),
            (#"{"a": "x\"", "\u0061": 1}"#, "a"),
            (#"{"a": {"b": 1, "b": 2}}"#, nil),
            (#"{"a": "\"a\": 1", "b": ["a", "a"]}"#, nil),
            (#"{"a\\": 1, "a": 2}"#, nil),
            (#"{}"#, nil),
        ] as [(String, String?)])
    func findsOnlyTopLevelDuplicates(json: String, duplicate: String?) {
        let found = Array(json.utf8).withUnsafeBytes { DuplicateKeys.first(in: $0) }
        #expect(found == duplicate)
    }
}
