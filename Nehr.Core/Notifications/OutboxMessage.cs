namespace Nehr.Core.Notifications;

/// <summary>How an outbox message travels.</summary>
public enum OutboxChannel
{
    Email,
    Sms,
}

/// <summary>
/// An e-mail or an SMS waiting to be sent. Written in the same transaction as the notice it carries, so a notice is never
/// lost and never sent for something that did not happen; a background sender delivers it and marks it sent.
/// </summary>
public sealed class OutboxMessage
{
    public const int MaxSubjectLength = 200;
    public const int MaxBodyLength = 4000;

    /// <summary>An SMS's text at most (without the portal's link the transport adds): three concatenated parts in Latin letters.</summary>
    public const int MaxSmsLength = 450;

    private OutboxMessage()
    {
        To = string.Empty;
        Subject = string.Empty;
        Body = string.Empty;
    }

    public OutboxMessage(string to, string subject, string body, DateTime createdAtUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(to);
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentException.ThrowIfNullOrWhiteSpace(body);
        To = to;
        Subject = subject.Length > MaxSubjectLength ? subject[..MaxSubjectLength] : subject;
        Body = body.Length > MaxBodyLength ? body[..MaxBodyLength] : body;
        CreatedAtUtc = createdAtUtc;
    }

    /// <summary>An SMS to a mobile number (E.164), short: the notice's text only, never its subject or closing lines.</summary>
    public static OutboxMessage Sms(string toE164, string text, DateTime createdAtUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(toE164);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        return new OutboxMessage
        {
            Channel = OutboxChannel.Sms,
            To = toE164,
            Body = text.Length > MaxSmsLength ? string.Concat(text.AsSpan(0, MaxSmsLength - 1), "…") : text,
            CreatedAtUtc = createdAtUtc,
        };
    }

    public long Id { get; private set; }

    public OutboxChannel Channel { get; private set; }

    public string To { get; private set; }

    public string Subject { get; private set; }

    public string Body { get; private set; }

    public DateTime CreatedAtUtc { get; private set; }

    public DateTime? SentAtUtc { get; private set; }

    public int Attempts { get; private set; }

    public string? LastError { get; private set; }

    /// <summary>
    /// Until when one sender (one portal instance) has taken the message to send; no other takes it before then.
    /// A sender that dies mid-send leaves the claim to run out, and the message is sent again after it.
    /// </summary>
    public DateTime? ClaimedUntilUtc { get; private set; }

    public void Claim(DateTime untilUtc) => ClaimedUntilUtc = untilUtc;

    public void MarkSent(DateTime atUtc)
    {
        SentAtUtc = atUtc;
        Attempts++;
        LastError = null;
    }

    public void MarkFailed(string error)
    {
        Attempts++;
        LastError = error.Length > 1000 ? error[..1000] : error;
        ClaimedUntilUtc = null;
    }
}
