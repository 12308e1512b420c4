namespace Nehr.Core;

/// <summary>A rule of the domain was broken; the message is fit to show to the person who tried.</summary>
public sealed class DomainException : Exception
{
    public DomainException(string message) : base(message)
    {
    }

    public DomainException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public DomainException()
    {
    }
}
