namespace Nehr.Core;

/// <summary>A rule of the domain was broken; the message is fit to show to the person who tried.</summary>
public class DomainException : Exception
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
}
