using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Nehr.Core.Notifications;

/// <summary>Settings of section "Nehr:Sms". Without an SMS gateway, each SMS is written as a text file to a folder.</summary>
public sealed class SmsOptions
{
    public const string Section = "Nehr:Sms";

    /// <summary>The sender's name shown on the phone.</summary>
    public string From { get; set; } = "NEHR";

    /// <summary>Folder for the development transport's files (one .txt per SMS); relative to the portal's folder.</summary>
    public string PickupDirectory { get; set; } = "data/sms";

    /// <summary>The link every SMS ends with: where the patient reads the notice in full, after signing in.</summary>
    public string PortalLink { get; set; } = "https://localhost:5001/patient/notifications";
}

/// <summary>Delivers one SMS; throws when it could not.</summary>
public interface ISmsTransport
{
    Task SendAsync(OutboxMessage message, CancellationToken cancellationToken);
}

/// <summary>What an SMS says: the notice's text and the portal's link, nothing more.</summary>
public static class SmsText
{
    public static string Of(OutboxMessage message, SmsOptions options)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);
        return $"{message.Body}\n{options.PortalLink}";
    }
}

/// <summary>
/// The development transport: writes each SMS as a text file (its recipient, sender, time and text) to the pickup
/// folder, as the e-mail transport writes .eml files. No gateway needed.
/// </summary>
public sealed class FolderSmsTransport(IOptions<SmsOptions> options, IHostEnvironment environment) : ISmsTransport
{
    public string Directory => Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.PickupDirectory));

    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Channel != OutboxChannel.Sms)
        {
            throw new InvalidOperationException($"Outbox message {message.Id} is not an SMS.");
        }

        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, FormattableString.Invariant($"{message.Id:D10}.txt"));
        var text = string.Create(CultureInfo.InvariantCulture,
            $"To: {message.To}\nFrom: {options.Value.From}\nDate: {message.CreatedAtUtc:O}\n\n{SmsText.Of(message, options.Value)}\n");
        await File.WriteAllTextAsync(path, text, new UTF8Encoding(false), cancellationToken);
    }
}
