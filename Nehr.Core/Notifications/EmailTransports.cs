using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Nehr.Core.Notifications;

/// <summary>Delivers one message; throws when it could not.</summary>
public interface IEmailTransport
{
    Task SendAsync(OutboxMessage message, CancellationToken cancellationToken);
}

/// <summary>The MIME message of an outbox message (plain text, UTF-8), as both transports write it.</summary>
internal static class EmailMessages
{
    public static MimeMessage ToMime(OutboxMessage message, EmailOptions options)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(options.From));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.Date = new DateTimeOffset(message.CreatedAtUtc, TimeSpan.Zero);
        mime.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(MailboxAddress.Parse(options.From).Domain);
        mime.Body = new TextPart(MimeKit.Text.TextFormat.Plain) { Text = message.Body };
        return mime;
    }
}

/// <summary>Writes each message as an .eml file to the pickup folder (the default: no mail server needed).</summary>
public sealed class FolderEmailTransport(IOptions<EmailOptions> options, IHostEnvironment environment) : IEmailTransport
{
    public string Directory => Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.PickupDirectory));

    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, FormattableString.Invariant($"{message.Id:D10}.eml"));
        await EmailMessages.ToMime(message, options.Value).WriteToAsync(path, cancellationToken);
    }
}

/// <summary>Sends through an SMTP server (when Nehr:Email:SmtpHost is set), with MailKit.</summary>
public sealed class SmtpEmailTransport(IOptions<EmailOptions> options) : IEmailTransport
{
    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var settings = options.Value;
        using var client = new SmtpClient();
        await client.ConnectAsync(settings.SmtpHost ?? throw new InvalidOperationException($"{EmailOptions.Section}:SmtpHost is not set."), settings.SmtpPort, settings.SmtpSecurity, cancellationToken);
        if (!string.IsNullOrEmpty(settings.SmtpUser))
        {
            await client.AuthenticateAsync(settings.SmtpUser, settings.SmtpPassword ?? string.Empty, cancellationToken);
        }

        await client.SendAsync(EmailMessages.ToMime(message, settings), cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    /// <summary>What a failed delivery throws (worth trying again later), as opposed to a fault of the portal.</summary>
    public static bool IsDeliveryFailure(Exception e) =>
        e is IOException or System.Net.Sockets.SocketException or MailKit.CommandException or MailKit.ProtocolException
            or AuthenticationException or SslHandshakeException or ParseException or UnauthorizedAccessException
            or InvalidOperationException;
}
