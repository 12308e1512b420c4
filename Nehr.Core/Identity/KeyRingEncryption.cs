using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nehr.Core.Data;

namespace Nehr.Core.Identity;

/// <summary>
/// The key-encryption keys of the data-protection key ring (settings "Nehr:DataProtection"). The ring (it seals
/// sign-in cookies, antiforgery tokens, system access tokens and the account secrets) is stored in the database; each
/// key's secret is encrypted there with AES-256-GCM under the current key-encryption key, so a copy of the database
/// alone forges nothing. The key comes from configuration (<c>KeyEncryptionKey</c>, 32 bytes in Base64, e.g. from a
/// secret store) or a file (<c>KeyEncryptionKeyFile</c>); outside Production, when neither is set, a key is generated
/// into <c>data/key-encryption.key</c> beside the portal (outside the database). Rotation: the new key in
/// <c>KeyEncryptionKey</c>, the old ones in <c>PreviousKeyEncryptionKeys</c>; at start-up every stored key is
/// re-encrypted under the new one, and nobody is signed out.
/// </summary>
public sealed class KeyEncryptionKeys
{
    public const string Section = "Nehr:DataProtection";
    public const string DevelopmentKeyFile = "data/key-encryption.key";

    private readonly Dictionary<string, byte[]> _byId;

    public KeyEncryptionKeys(byte[] current, IEnumerable<byte[]> previous)
    {
        ArgumentNullException.ThrowIfNull(current);
        Current = Checked(current);
        CurrentId = IdOf(Current);
        _byId = previous.Select(Checked).Append(Current).DistinctBy(IdOf).ToDictionary(IdOf);
    }

    public byte[] Current { get; }

    /// <summary>An identifier of the current key (not the key): the start of its SHA-256, written beside each ciphertext.</summary>
    public string CurrentId { get; }

    public byte[] ById(string id) => _byId.TryGetValue(id, out var key) ? key
        : throw new CryptographicException($"The data-protection key ring was encrypted with key-encryption key {id}, which is not configured ({Section}:KeyEncryptionKey or PreviousKeyEncryptionKeys).");

    /// <summary>Where the key comes from, or null when none is configured (Production refuses to start then).</summary>
    public static string? ConfiguredSource(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        return !string.IsNullOrWhiteSpace(section["KeyEncryptionKey"]) ? $"{Section}:KeyEncryptionKey"
            : !string.IsNullOrWhiteSpace(section["KeyEncryptionKeyFile"]) ? $"{Section}:KeyEncryptionKeyFile"
            : null;
    }

    public static KeyEncryptionKeys FromConfiguration(IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var section = configuration.GetSection(Section);
        var previous = section.GetSection("PreviousKeyEncryptionKeys").Get<string[]>() ?? [];
        var current = section["KeyEncryptionKey"] is { Length: > 0 } text ? Decode(text, $"{Section}:KeyEncryptionKey")
            : section["KeyEncryptionKeyFile"] is { Length: > 0 } file ? Decode(File.ReadAllText(Path.Combine(environment.ContentRootPath, file)).Trim(), file)
            : environment.IsProduction()
                ? throw new InvalidOperationException($"{Section}:KeyEncryptionKey (or KeyEncryptionKeyFile) is not set: Production does not keep the key ring unencrypted.")
                : DevelopmentKey(Path.Combine(environment.ContentRootPath, DevelopmentKeyFile));
        return new KeyEncryptionKeys(current, previous.Select(p => Decode(p, $"{Section}:PreviousKeyEncryptionKeys")));
    }

    private static byte[] DevelopmentKey(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // readable by the portal's user only
                }

                using var stream = new FileStream(path, options);
                stream.Write(Encoding.ASCII.GetBytes(key));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another portal (a test's second instance) wrote it first: use theirs.
            }
        }

        return Decode(File.ReadAllText(path).Trim(), path);
    }

    private static byte[] Decode(string base64, string where)
    {
        try
        {
            return Checked(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{where} is not Base64 (32 random bytes, e.g. `openssl rand -base64 32`).");
        }
    }

    private static byte[] Checked(byte[] key) => key.Length == 32 ? key
        : throw new InvalidOperationException($"A key-encryption key is 32 bytes (AES-256); this one is {key.Length}.");

    internal static string IdOf(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..16];
}

/// <summary>Encrypts a key's secret with AES-256-GCM under the current key-encryption key.</summary>
public sealed class AesGcmXmlEncryptor(KeyEncryptionKeys keys) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = new byte[12 + plaintext.Length + 16];
        var nonce = sealedBytes.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(keys.Current, 16))
        {
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(12, plaintext.Length), sealedBytes.AsSpan(12 + plaintext.Length), Encoding.ASCII.GetBytes(keys.CurrentId));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement("encryptedKey",
            new XComment(" AES-256-GCM under the NEHR key-encryption key named in 'kek' "),
            new XAttribute("kek", keys.CurrentId),
            new XElement("value", Convert.ToBase64String(sealedBytes)));
        return new EncryptedXmlInfo(element, typeof(AesGcmXmlDecryptor));
    }
}

/// <summary>Decrypts what <see cref="AesGcmXmlEncryptor"/> encrypted, with the current or a previous key-encryption key.</summary>
public sealed class AesGcmXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) => Decrypt(encryptedElement, services.GetRequiredService<KeyEncryptionKeys>());

    public static XElement Decrypt(XElement encryptedElement, KeyEncryptionKeys keys)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        ArgumentNullException.ThrowIfNull(keys);
        var id = (string?)encryptedElement.Attribute("kek") ?? throw new CryptographicException("The encrypted key names no key-encryption key.");
        var sealedBytes = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? string.Empty);
        if (sealedBytes.Length < 28)
        {
            throw new CryptographicException("The encrypted key is too short.");
        }

        var plaintext = new byte[sealedBytes.Length - 28];
        using (var aes = new AesGcm(keys.ById(id), 16))
        {
            aes.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(12, plaintext.Length), sealedBytes.AsSpan(12 + plaintext.Length), plaintext, Encoding.ASCII.GetBytes(id));
        }

        var element = XElement.Parse(Encoding.UTF8.GetString(plaintext));
        CryptographicOperations.ZeroMemory(plaintext);
        return element;
    }
}

/// <summary>Brings the stored key ring under the current key-encryption key: keys stored in clear, or under an older key, are (re-)encrypted.</summary>
public static class KeyRingEncryption
{
    private static readonly XNamespace Ns = "http://schemas.asp.net/2015/03/dataProtection";

    /// <summary>Returns how many stored keys it (re-)encrypted.</summary>
    public static async Task<int> EncryptStoredKeysAsync(NehrDbContext db, KeyEncryptionKeys keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(keys);
        var encryptor = new AesGcmXmlEncryptor(keys);
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        var changed = 0;
        foreach (var row in await db.DataProtectionKeys.Where(k => k.Xml != null).ToListAsync(cancellationToken))
        {
            var xml = XElement.Parse(row.Xml!);
            var touched = false;

            // A secret under an older key-encryption key: decrypted, to be encrypted again below.
            foreach (var secret in xml.Descendants(Ns + "encryptedSecret").ToList())
            {
                if (secret.Element("encryptedKey") is { } encrypted && (string?)encrypted.Attribute("kek") != keys.CurrentId)
                {
                    secret.ReplaceWith(AesGcmXmlDecryptor.Decrypt(encrypted, keys));
                    touched = true;
                }
            }

            // A secret in clear (what the key manager writes without an encryptor), as the key manager would encrypt it.
            foreach (var clear in xml.DescendantsAndSelf().Where(e => (string?)e.Attribute(Ns + "requiresEncryption") == "true").ToList())
            {
                var info = encryptor.Encrypt(new XElement(clear));
                clear.ReplaceWith(new XElement(Ns + "encryptedSecret",
                    new XAttribute("decryptorType", info.DecryptorType.AssemblyQualifiedName!), info.EncryptedElement));
                touched = true;
            }

            if (touched)
            {
                row.Xml = xml.ToString(SaveOptions.DisableFormatting);
                changed++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return changed;
    }
}
