namespace Nehr.Core;

/// <summary>
/// A rule of the domain was broken: the input is refused and nothing was written. The message is fit to show to the
/// person who tried; <see cref="Errors"/> names the fields at fault when the command checks several at once.
/// </summary>
public class DomainException : Exception
{
    /// <summary>The key of an error about the request as a whole rather than one field.</summary>
    public const string General = "";

    public DomainException(string message) : base(message) => Errors = new Dictionary<string, string> { [General] = message };

    public DomainException(string message, Exception innerException) : base(message, innerException) =>
        Errors = new Dictionary<string, string> { [General] = message };

    public DomainException()
    {
        Errors = new Dictionary<string, string>();
    }

    /// <summary>A refusal a patient may read: its message in English, and <see cref="Text"/> to show it in their language.</summary>
    public DomainException(PatientMessage text)
        : this((text ?? throw new ArgumentNullException(nameof(text))).English) => Text = text;

    /// <summary>A refusal of one field that a patient may read.</summary>
    public DomainException(string field, PatientMessage text)
        : this(new Dictionary<string, string> { [field] = (text ?? throw new ArgumentNullException(nameof(text))).English }) => Text = text;

    /// <summary>One message per field at fault (field name → message); the exception's message joins them.</summary>
    public DomainException(IReadOnlyDictionary<string, string> errors)
        : base(string.Join(" ", (errors ?? throw new ArgumentNullException(nameof(errors))).Values)) => Errors = errors;

    /// <summary>The message per field (<see cref="General"/> for the request as a whole).</summary>
    public IReadOnlyDictionary<string, string> Errors { get; }

    /// <summary>The message as a key and arguments, to show in the reader's language (null: English only).</summary>
    public PatientMessage? Text { get; }
}

/// <summary>The signed-in person may not do this (the refusal is audited before this is thrown).</summary>
public sealed class AccessRefusedException : DomainException
{
    public AccessRefusedException(string message) : base(message)
    {
    }

    public AccessRefusedException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public AccessRefusedException()
    {
    }

    public AccessRefusedException(PatientMessage text) : base(text)
    {
    }
}
