import Foundation
import Hummingbird
import QlippyModel

extension Parameters {
    /// A path parameter that must be a UUID, normalised to the lowercase form ids are stored in.
    func uuid(_ name: String) throws(APIError) -> String {
        guard let raw = self.get(name), let id = UUIDText.normalized(raw) else { throw .invalidID(name) }
        return id
    }

    /// A folder's name from the path, percent-decoded: the router matches the raw path, so a name
    /// with `/` arrives as `%2F` within one segment.
    func folderName(_ name: String) throws(APIError) -> String {
        try decodedName(name, or: .folderNameEncoding)
    }

    /// A tag's name from the path, percent-decoded as a folder's.
    func tagName(_ name: String) throws(APIError) -> String {
        try decodedName(name, or: .tagNameEncoding)
    }

    private func decodedName(_ name: String, or error: APIError) throws(APIError) -> String {
        guard let raw = self.get(name), let decoded = raw.removingPercentEncoding, !decoded.isEmpty else { throw error }
        return decoded
    }
}
