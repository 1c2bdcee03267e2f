/// The longest text the contract accepts in each field, in Unicode scalars: the API refuses
/// longer input, and an import cuts a longer title to fit.
public enum FieldLimits {
    public static let username = 80
    public static let title = 200
    public static let folder = 100
    public static let pluginName = 100
    public static let model = 200
    public static let finishReason = 64
    /// A conversation's tags: at most this many, each at most this long.
    public static let tags = 20
    public static let tag = 50
    /// A message's `metadata`: at most this many pairs, keys and values at most this long (OpenAI's).
    public static let metadataPairs = 16
    public static let metadataKey = 64
    public static let metadataValue = 512
    /// The largest token count accepted: JSON's exact integers (2^53 - 1).
    public static let tokenCount = 9_007_199_254_740_991
}

extension Conversation {
    /// The title of a conversation created or imported without one.
    public static let defaultTitle = "New Conversation"
}
