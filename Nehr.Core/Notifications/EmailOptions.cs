namespace Nehr.Core.Notifications;

/// <summary>Settings of section "Nehr:Email". Without an SMTP host, messages are written as .eml files to a folder.</summary>
public sealed class EmailOptions
{
    public const string Section = "Nehr:Email";

    public string From { get; set; } = "no-reply@nehr.demo";

    /// <summary>Folder for .eml files when no SMTP host is set; relative to the portal's folder.</summary>
    public string PickupDirectory { get; set; } = "data/outbox";

    public string? SmtpHost { get; set; }

    public int SmtpPort { get; set; } = 587;

    /// <summary>
    /// TLS to the SMTP server: <c>StartTls</c> (the default: refuse a server that does not offer it), <c>SslOnConnect</c>
    /// (port 465), <c>Auto</c>, or <c>None</c> (only for a relay on the same machine).
    /// </summary>
    public MailKit.Security.SecureSocketOptions SmtpSecurity { get; set; } = MailKit.Security.SecureSocketOptions.StartTls;

    public string? SmtpUser { get; set; }

    public string? SmtpPassword { get; set; }

    public int PollSeconds { get; set; } = 5;

    public int MaxAttempts { get; set; } = 10;
}
