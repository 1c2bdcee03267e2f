import Foundation
import Hummingbird

extension Parameters {
    /// A path parameter that must be a UUID, normalised to the lowercase form ids are stored in.
    func uuid(_ name: String) throws(APIError) -> String {
        guard let raw = self.get(name), let id = UUIDText.normalized(raw) else { throw .invalidID(name) }
        return id
    }

    /// A folder's name from the path, percent-decoded: the router matches the raw path, so a name
    /// with `/` arrives as `%2F` within one segment.
    func folderName(_ name: String) throws(APIError) -> String {
        guard let raw = self.get(name), let decoded = raw.removingPercentEncoding, !decoded.isEmpty else { throw .folderNameEncoding }
        return decoded
    }
}

/// Ids on the wire: UUIDs in either case, stored lowercase.
enum UUIDText {
    /// `raw` in lowercase when it is a UUID (8-4-4-4-12 hex digits), else `nil`.
    static func normalized(_ raw: String) -> String? {
        guard raw.utf8.count == 36 else { return nil }
        var lowered = [UInt8]()
        lowered.reserveCapacity(36)
        for (index, byte) in raw.utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                lowered.append(byte)
                continue
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): lowered.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): lowered.append(byte + 32)
            default: return nil
            }
        }
        return String(decoding: lowered, as: UTF8.self)
    }
}
