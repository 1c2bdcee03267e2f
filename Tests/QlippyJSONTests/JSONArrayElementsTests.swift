import Foundation
import Testing

@testable import QlippyJSON

/// The element scan that lets an import decode one conversation at a time.
@Suite("JSON array elements")
struct JSONArrayElementsTests {
    @Test(arguments: [
        (#"[]"#, [String]()),
        (#" [ 1 , "a]\"b" , {"x": "]}"}, [[], {}], null ] "#, ["1", #""a]\"b""#, #"{"x": "]}"}"#, "[[], {}]", "null"]),
        ("[{\"a\": \"\\\\\"}]", ["{\"a\": \"\\\\\"}"]),
    ])
    func findsEachElement(json: String, elements: [String]) throws {
        let data = Data(json.utf8)
        let found = try JSONArrayElements.ranges(in: data).map { String(decoding: data[$0], as: UTF8.self) }
        #expect(found == elements)
    }

    /// Our own export's top level: keys (escapes resolved) and each value's bytes, in file order.
    @Test func findsAnObjectsMembersAndAnArrayInsideOne() throws {
        let json = #" {"a": 1, "b\"c" : [1, {"x": "}"}] ,"d":"s", "e": {}} "#
        let data = Data(json.utf8)
        let members = try JSONArrayElements.members(in: data)
        #expect(members.map(\.key) == ["a", #"b"c"#, "d", "e"])
        #expect(members.map { String(decoding: data.bytes(at: $0.value), as: UTF8.self) } == ["1", #"[1, {"x": "}"}]"#, #""s""#, "{}"])
        let elements = try #require(try JSONArrayElements.ranges(in: data, ofArrayAt: members[1].value))
        #expect(elements.map { String(decoding: data.bytes(at: $0), as: UTF8.self) } == ["1", #"{"x": "}"}"#])
    }

    @Test(arguments: [
        (#"{"a" 1}"#, "Import file is not valid JSON: expected : at line 1, column 6 (byte 5)"),
        (#"{1: 2}"#, "Import file is not valid JSON: expected a key at line 1, column 2 (byte 1)"),
        (#"{"a": 1 "b": 2}"#, "Import file is not valid JSON: expected , or } at line 1, column 9 (byte 8)"),
        (#"{"a": 1} x"#, "Import file is not valid JSON: unexpected text after the object at line 1, column 10 (byte 9)"),
        (#"{"a": [1, 2}"#, "Import file is not valid JSON: the file ends in the middle of a value, at line 1, column 13 (byte 12)"),
    ])
    func saysWhereAnObjectBreaks(json: String, message: String) {
        #expect(throws: JSONScanError.notJSON(String(message.dropFirst("Import file is not valid JSON: ".count)))) {
            try JSONArrayElements.members(in: Data(json.utf8))
        }
    }

    /// An element that is not JSON inside a well-formed array is found before anything is written.
    @Test func aBrokenElementIsFoundByValidation() throws {
        let data = Data("[{\"a\": 1},\n {\"mapping\": tru}]".utf8)
        let ranges = try JSONArrayElements.ranges(in: data)
        #expect(throws: JSONScanError.notJSON("invalid value at line 2, column 18 (byte 28)")) {
            try JSONArrayElements.validate(ranges, in: data)
        }
    }
}
