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
    /// hash is enough for 256 random bits: there is nothing to guess. Hashes the string's own
    /// UTF-8 and writes the hex into the result's storage: an API key is hashed on every request.
    static func hash(_ text: String) -> String {
        var text = text
        let digest = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        return String(unsafeUninitializedCapacity: SHA256.byteCount * 2) { hex in
            var index = 0
            for byte in digest {
                hex[index] = hexDigits[Int(byte >> 4)]
                hex[index + 1] = hexDigits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
