import Foundation
import QlippyTestSupport
import Testing

@testable import QlippyJSON

/// The import's fast check: plainly JSON only when `JSONDecoder` agrees; unsure of the rest.
@Suite("Strict JSON check")
struct StrictJSONTests {
    @Test(arguments: [
        #"{}"#, #" [ ] "#, #"{"a": [1, -0, 0.5, 1e9, -2.5E-3, true, false, null, "x"], "b": {"c": "\u00e9\ud83d\ude80\"\\\/\b\f\n\r\t"}}"#,
        "\"caf\u{E9} \u{1F680} \u{10FFFF}\"", "0", "-12.75e+2",
    ])
    func acceptsPlainJSON(json: String) {
        #expect(Self.isPlainlyValid(Data(json.utf8)))
        #expect(Self.decoderAccepts(Data(json.utf8)))
    }

    @Test(arguments: [
        #"{"a": 1,}"#, #"[1 2]"#, #"{"a" 1}"#, #"{a: 1}"#, "01", "1.", ".5", "1e", "-", "+1", "tru", "nul", #""\ud800""#,
        #""\udc00""#, #""\ud800\u0041""#, #""\x""#, "\"a\tb\"", "\"open", "[1] 2", "",
    ])
    func isNotSureOfTheRest(json: String) {
        #expect(!Self.isPlainlyValid(Data(json.utf8)))
    }

    @Test(
        arguments: [
            [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0x80], [0xC3],
        ] as [[UInt8]])
    func refusesUTF8ThatIsNotWellFormed(bytes: [UInt8]) {
        #expect(!Self.isPlainlyValid(Data([UInt8(ascii: "\"")] + bytes + [UInt8(ascii: "\"")])))
    }

    @Test func leavesDeepNestingToJSONDecoder() {
        let depth = StrictJSON.maximumDepth
        #expect(Self.isPlainlyValid(Data((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)))
        #expect(!Self.isPlainlyValid(Data((String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)).utf8)))
    }

    /// Random documents are plainly JSON; each with one byte changed, cut or added is either still
    /// accepted by `JSONDecoder` or not plainly JSON here.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func neverAcceptsWhatJSONDecoderRefuses(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var accepted = 0
        var unsure = 0
        let palette = Array(#"{}[]:,"\ 0123456789-+.eEtrufalsn"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xED, 0xF4, 0xFF]
        for _ in 0..<300 {
            let document = try JSONSerialization.data(withJSONObject: Self.value(&random, depth: 0), options: [.fragmentsAllowed])
            #expect(Self.isPlainlyValid(document), "\(String(decoding: document, as: UTF8.self))")
            var bytes = [UInt8](document)
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: bytes[at] = palette.randomElement(using: &random)!
            case 1: bytes.remove(at: at)
            default: bytes.insert(palette.randomElement(using: &random)!, at: at)
            }
            if Self.isPlainlyValid(Data(bytes)) {
                accepted += 1
                #expect(Self.decoderAccepts(Data(bytes)), "\(bytes)")
            } else {
                unsure += 1
            }
        }
        #expect(accepted > 20)
        #expect(unsure > 100)
    }

    private static func value(_ random: inout SeededRandom, depth: Int) -> Any {
        switch Int.random(in: 0..<(depth < 4 ? 7 : 5), using: &random) {
        case 0: return random.nastyString()
        case 1: return Int.random(in: -1_000_000...1_000_000, using: &random)
        case 2: return Double.random(in: -1e6...1e6, using: &random)
        case 3: return Bool.random(using: &random)
        case 4: return NSNull()
        case 5: return (0..<Int.random(in: 0...4, using: &random)).map { _ in value(&random, depth: depth + 1) }
        default:
            return Dictionary(
                (0..<Int.random(in: 0...4, using: &random)).map { _ in (random.nastyString(maxLength: 8), value(&random, depth: depth + 1))
                },
                uniquingKeysWith: { first, _ in first })
        }
    }

    private static func isPlainlyValid(_ data: Data) -> Bool {
        data.withUnsafeBytes(StrictJSON.isPlainlyValid)
    }

    private static func decoderAccepts(_ data: Data) -> Bool {
        (try? JSONDecoder().decode(Skip.self, from: data)) != nil
    }

    private struct Skip: Decodable {
        init(from decoder: any Decoder) throws {}
    }
}
