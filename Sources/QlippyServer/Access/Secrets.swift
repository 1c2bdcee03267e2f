import Crypto
import Foundation
import QlippyJSON

/// The random texts accounts mode hands out, and the hashes it keeps of them.
enum Secrets {
    /// API keys start so: a key is recognisable in a config file, a log scanner or a leak report.
    static let apiKeyPrefix = "qlp_"
    static let refreshTokenPrefix = "qlr_"

    /// 256 random bits from the system's generator, as base64url.
    static func randomText() -> String {
        Base64URL.encode(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// The SHA-256 of `text` in hex: what the database keeps of a key or a refresh token. A fast
    /// hash is enough for 256 random bits: there is nothing to guess.
    static func hash(_ text: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(text.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
