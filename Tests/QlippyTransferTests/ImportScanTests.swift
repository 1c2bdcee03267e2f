import Foundation
import Testing

@testable import QlippyTransfer

/// The scans an import makes, with the errors it reports for them.
@Suite("Import scans")
struct ImportScanTests {
    @Test(arguments: [
        (#"[{"a": 1}"#, "Import file is not valid JSON: the file ends in the middle of a value, at line 1, column 10 (byte 9)"),
        (#"[{"a": "b}]"#, "Import file is not valid JSON: the file ends in the middle of a value, at line 1, column 12 (byte 11)"),
        (#"[1 2]"#, "Import file is not valid JSON: expected , or ] at line 1, column 4 (byte 3)"),
        (#"[1] x"#, "Import file is not valid JSON: unexpected text after the array at line 1, column 5 (byte 4)"),
        (#"{"a": 1}"#, "Unrecognised import format: found an object with keys a"),
    ])
    func saysWhereTheStructureBreaks(json: String, message: String) async {
        let error = await #expect(throws: ImportError.self) { try await ImportScan.ranges(in: Data(json.utf8)) }
        #expect(error?.description == message)
    }
}
