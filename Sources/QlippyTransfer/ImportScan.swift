import Foundation
import QlippyJSON

/// The structural JSON scans an import makes, with their errors as an import reports them:
/// where the file stops being JSON, or what other value it holds.
///
/// Each scan runs on a Dispatch thread, not on Swift's cooperative pool: a pass over a gigabyte
/// file takes a second or more without a suspension point, and two imports scanning at once would
/// hold both of a 2-core machine's pool threads, so that no other request is answered meanwhile.
package enum ImportScan {
    package static func ranges(in data: Data, pages: MappedFile? = nil) async throws -> [Range<Int>] {
        try await reported(data) { try JSONArrayElements.ranges(in: data, pages: pages) }
    }

    package static func ranges(in data: Data, ofArrayAt range: Range<Int>, pages: MappedFile? = nil) async throws -> [Range<Int>]? {
        try await reported(data) { try JSONArrayElements.ranges(in: data, ofArrayAt: range, pages: pages) }
    }

    package static func members(in data: Data, pages: MappedFile? = nil) async throws -> [(key: String, value: Range<Int>)] {
        try await reported(data) { try JSONArrayElements.members(in: data, pages: pages) }
    }

    package static func validate(_ ranges: [Range<Int>], in data: Data, pages: MappedFile? = nil) async throws {
        try await reported(data) { try JSONArrayElements.validate(ranges, in: data, pages: pages) }
    }

    private static func reported<Value: Sendable>(_ data: Data, _ scan: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try importErrors(data, scan) })
            }
        }
    }

    /// The scan's errors as the import's; a file that is one other value is decoded to name it.
    private static func importErrors<Value>(_ data: Data, _ scan: () throws -> Value) throws -> Value {
        do {
            return try scan()
        } catch JSONScanError.notJSON(let problem) {
            throw ImportError.notJSON(problem)
        } catch JSONScanError.otherValue {
            throw ImportError.unrecognised(found: try Importer.decode(Shape.self, from: data).name)
        }
    }
}
