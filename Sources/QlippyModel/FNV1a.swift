/// FNV-1a, 64 bits: a fast hash that is the same on every machine and in every run (Swift's
/// `Hasher` is seeded per process), for fingerprints, checksums and derived ids. Not
/// cryptographic: every use checks for mistakes, never for forgers.
public struct FNV1a: Sendable {
    public static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    public private(set) var value: UInt64

    public init(seed: UInt64 = offsetBasis) {
        value = seed
    }

    public mutating func combine(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* Self.prime
    }

    /// Any bytes: a string's UTF-8, an array, a body's `UnsafeRawBufferPointer`.
    public mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { combine(byte) }
    }

    /// The hash of `text`'s UTF-8 bytes.
    public static func hash(_ text: String, seed: UInt64 = offsetBasis) -> UInt64 {
        var hasher = FNV1a(seed: seed)
        hasher.combine(text.utf8)
        return hasher.value
    }
}
