import QlippyModel
import QlippyTestSupport
import Testing

@testable import QlippyTransfer

/// The hash behind import ids, page cursors, migrate checksums and idempotency fingerprints must
/// never change between versions: an import's ids would stop matching the ones already stored.
@Suite("FNV-1a and the ids derived from it")
struct FNV1aTests {
    /// The published FNV-1a 64-bit test vectors.
    @Test func matchesTheReferenceVectors() {
        #expect(FNV1a.hash("") == 0xCBF2_9CE4_8422_2325)
        #expect(FNV1a.hash("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(FNV1a.hash("foobar") == 0x8594_4171_F739_67E8)
    }

    @Test func everyWayOfFeedingBytesAgrees() {
        let bytes = Array("foobar".utf8)
        var one = FNV1a()
        for byte in bytes { one.combine(byte) }
        var sequence = FNV1a()
        sequence.combine(bytes)
        var buffer = FNV1a()
        bytes.withUnsafeBytes { buffer.combine($0) }
        #expect([one.value, sequence.value, buffer.value] == [0x8594_4171_F739_67E8, 0x8594_4171_F739_67E8, 0x8594_4171_F739_67E8])
    }

    /// Computed independently (Python) from the layout StableID documents.
    @Test func stableIDsStayTheSame() {
        #expect(StableID.make("chatgpt/u1/c1") == "4a052b49-62ab-8e7c-b174-77e4de083d61")
    }

    /// A conversation's messages share its id's high half, so that they sit side by side in the
    /// messages' id index (values computed in Python, as above).
    @Test func messageIDsShareTheirConversationsHighHalf() {
        #expect(StableID.make("chatgpt/u1/c1/n1", in: "chatgpt/u1/c1") == "4a052b49-62ab-8e7c-b9e1-eb9106ba1a07")
        #expect(StableID.make("chatgpt/u1/c1/n2", in: "chatgpt/u1/c1") == "4a052b49-62ab-8e7c-b9e1-ec9106ba1bba")
    }
}
