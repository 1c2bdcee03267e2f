import Foundation

/// A fresh row id in the original backend's form, a lowercase UUID string, of version 7 (RFC 9562):
/// the time in milliseconds first, then 74 random bits from `UUID()`.
///
/// Ids made one after another sort together, so a batch of new rows inserts into one page at the
/// end of each id index instead of one random page each: fewer pages for every commit to write.
/// Clients treat ids as opaque strings; the time they show is the row's `created_at` or
/// `timestamp` anyway.
public func newID() -> String {
    var uuid = UUID().uuid
    let milliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
    withUnsafeMutableBytes(of: &uuid) { bytes in
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * index)) }
        bytes[6] = bytes[6] & 0x0F | 0x70
    }
    return UUID(uuid: uuid).uuidString.lowercased()
}
