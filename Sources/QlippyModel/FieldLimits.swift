/// The longest text the contract accepts in each field, in Unicode scalars: the API refuses
/// longer input, and an import cuts a longer title to fit.
public enum FieldLimits {
    public static let username = 80
    public static let title = 200
    public static let folder = 100
    public static let pluginName = 100
}

extension Conversation {
    /// The title of a conversation created or imported without one.
    public static let defaultTitle = "New Conversation"
}
