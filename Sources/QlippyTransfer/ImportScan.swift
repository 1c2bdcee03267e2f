import Foundation
import QlippyJSON

/// The structural JSON scans an import makes, with their errors as an import reports them:
/// where the file stops being JSON, or what other value it holds.
package enum ImportScan {
    package static func ranges(in data: Data, pages: MappedFile? = nil) throws -> [Range<Int>] {
        try reported(data) { try JSONArrayElements.ranges(in: data, pages: pages) }
    }

    package static func ranges(in data: Data, ofArrayAt range: Range<Int>, pages: MappedFile? = nil) throws -> [Range<Int>]? {
        try reported(data) { try JSONArrayElements.ranges(in: data, ofArrayAt: range, pages: pages) }
    }

    package static func members(in data: Data, pages: MappedFile? = nil) throws -> [(key: String, value: Range<Int>)] {
        try reported(data) { try JSONArrayElements.members(in: data, pages: pages) }
    }

    package static func validate(_ ranges: [Range<Int>], in data: Data, pages: MappedFile? = nil) throws {
        try reported(data) { try JSONArrayElements.validate(ranges, in: data, pages: pages) }
    }

    private static func reported<Value>(_ data: Data, _ scan: () throws -> Value) throws -> Value {
        do {
            return try scan()
        } catch JSONScanError.notJSON(let problem) {
            throw ImportError.notJSON(problem)
        } catch JSONScanError.otherValue {
            throw ImportError.unrecognised(found: try Importer.decode(Shape.self, from: data).name)
        }
    }
}
