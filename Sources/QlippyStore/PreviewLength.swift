/// How much of a conversation's newest message the stores keep at hand for list previews.
public enum PreviewLength {
    /// Characters of the newest message that both stores read for a preview: previews up to one
    /// less (the extra character tells whether the message was longer).
    package static let stored = 201

    /// The preview length a store serves for a caller's `requested` one: at most one less than
    /// ``stored``.
    package static func served(_ requested: Int) -> Int {
        min(requested, stored - 1)
    }
}
