import Hummingbird

extension Parameters {
    /// A path parameter that must be a UUID, normalised to the lowercase form ids are stored in.
    func uuid(_ name: String) throws(APIError) -> String {
        guard let raw = self.get(name), raw.utf8.count == 36 else { throw .invalidID(name) }
        var lowered = [UInt8]()
        lowered.reserveCapacity(36)
        for (index, byte) in raw.utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { throw .invalidID(name) }
                lowered.append(byte)
                continue
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): lowered.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): lowered.append(byte + 32)
            default: throw .invalidID(name)
            }
        }
        return String(decoding: lowered, as: UTF8.self)
    }
}
