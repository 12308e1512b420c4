using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Nehr.Core.Notifications;

/// <summary>Delivers one message; throws when it could not.</summary>
public interface IEmailTransport
{
    Task SendAsync(OutboxMessage message, CancellationToken cancellationToken);
}

/// <summary>Writes each message as an .eml file to the pickup folder (the default: no mail server needed).</summary>
public sealed class FolderEmailTransport(IOptions<EmailOptions> options, IHostEnvironment environment) : IEmailTransport
{
    public string Directory => Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.PickupDirectory));

    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        System.IO.Directory.CreateDirectory(Directory);
        var text = new StringBuilder()
            .Append("From: ").AppendLine(options.Value.From)
            .Append("To: ").AppendLine(message.To)
            .Append("Subject: ").AppendLine(message.Subject)
            .Append("Date: ").AppendLine(message.CreatedAtUtc.ToString("R", CultureInfo.InvariantCulture))
            .AppendLine("Content-Type: text/plain; charset=utf-8")
            .AppendLine()
            .AppendLine(message.Body)
            .ToString();
        var path = Path.Combine(Directory, string.Create(CultureInfo.InvariantCulture, $"{message.Id:D10}.eml"));
        await File.WriteAllTextAsync(path, text, Encoding.UTF8, cancellationToken);
    }
}

/// <summary>Sends through an SMTP server (when Nehr:Email:SmtpHost is set).</summary>
public sealed class SmtpEmailTransport(IOptions<EmailOptions> options) : IEmailTransport
{
    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var settings = options.Value;
        using var client = new SmtpClient(settings.SmtpHost, settings.SmtpPort) { EnableSsl = settings.SmtpEnableSsl };
        if (!string.IsNullOrEmpty(settings.SmtpUser))
        {
            client.Credentials = new NetworkCredential(settings.SmtpUser, settings.SmtpPassword);
        }

        using var mail = new MailMessage(settings.From, message.To, message.Subject, message.Body);
        await client.SendMailAsync(mail, cancellationToken);
    }
}
