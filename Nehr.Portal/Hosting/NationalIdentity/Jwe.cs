using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Nehr.Portal.Hosting.NationalIdentity;

/// <summary>
/// Compact JWE (RFC 7516) with the key agreement the national identity uses for ID tokens: ECDH-ES with AES key wrap
/// (<c>ECDH-ES+A128KW</c>, <c>A192KW</c>, <c>A256KW</c>; RFC 7518 §4.6) and content encrypted with AES-GCM or
/// AES-CBC with HMAC-SHA2 (§5.2, §5.3). Written here because Microsoft.IdentityModel 8 cannot decrypt a standard
/// ECDH-ES+A256KW token (its key derivation differs from RFC 7518's; a token made by an independent implementation
/// fails its tag check, see the tests). Decrypting proves nothing of who made the token: the signed token inside is
/// then validated as any other.
/// </summary>
internal static class Jwe
{
    private static readonly byte[] KeyWrapIv = [0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6];

    /// <summary>A compact JWE has five parts (a JWS three).</summary>
    public static bool IsJwe(string token) => token.AsSpan().Count('.') == 4;

    /// <summary>The plaintext (for an ID token, the signed JWT inside) of a compact JWE, with one of <paramref name="keys"/>.</summary>
    /// <exception cref="SecurityTokenDecryptionFailedException">Not a JWE this portal can decrypt, or not intact.</exception>
    public static string Decrypt(string compact, IReadOnlyCollection<ECDsaSecurityKey> keys)
    {
        ArgumentNullException.ThrowIfNull(compact);
        ArgumentNullException.ThrowIfNull(keys);
        var parts = compact.Split('.');
        if (parts.Length != 5)
        {
            throw Failed("it is not a compact JWE (five parts)");
        }

        try
        {
            using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(parts[0]));
            var root = header.RootElement;
            var alg = Text(root, "alg");
            var enc = Text(root, "enc");
            var wrapBits = WrapBits(alg);
            var cekLength = ContentKeyLength(enc);
            if (!root.TryGetProperty("epk", out var epk) || Text(epk, "kty") != "EC")
            {
                throw Failed("its header has no EC ephemeral public key (epk)");
            }

            var curve = Curve(Text(epk, "crv"));
            var peer = new ECParameters
            {
                Curve = curve,
                Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(Text(epk, "x")), Y = Base64UrlEncoder.DecodeBytes(Text(epk, "y")) },
            };
            var kid = root.TryGetProperty("kid", out var kidElement) ? kidElement.GetString() : null;
            var key = keys.FirstOrDefault(k => (kid is null || k.KeyId == kid) && k.ECDsa.ExportParameters(false).Curve.Oid.Value == curve.Oid.Value)
                ?? throw Failed(kid is null ? "no decryption key of its curve" : $"no decryption key with id {kid}");

            using var ours = ECDiffieHellman.Create(key.ECDsa.ExportParameters(includePrivateParameters: true));
            using var theirs = ECDiffieHellman.Create(peer); // validates that the point is on the curve
            var z = ours.DeriveRawSecretAgreement(theirs.PublicKey);
            var kek = ConcatKdf(z, alg, Optional(root, "apu"), Optional(root, "apv"), wrapBits);
            var cek = Unwrap(kek, Base64UrlEncoder.DecodeBytes(parts[1]));
            if (cek.Length != cekLength)
            {
                throw Failed("its content key has the wrong length for " + enc);
            }

            var plaintext = DecryptContent(enc, cek, Encoding.ASCII.GetBytes(parts[0]), Base64UrlEncoder.DecodeBytes(parts[2]),
                Base64UrlEncoder.DecodeBytes(parts[3]), Base64UrlEncoder.DecodeBytes(parts[4]));
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or CryptographicException or KeyNotFoundException or InvalidOperationException)
        {
            throw Failed(e.Message);
        }
    }

    /// <summary>Encrypts <paramref name="plaintext"/> to <paramref name="recipient"/> (the development provider encrypts ID tokens so).</summary>
    public static string Encrypt(string plaintext, ECDsaSecurityKey recipient, string alg = "ECDH-ES+A256KW", string enc = "A256CBC-HS512")
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(recipient);
        var wrapBits = WrapBits(alg);
        var recipientParameters = recipient.ECDsa.ExportParameters(false);
        using var ephemeral = ECDiffieHellman.Create(recipientParameters.Curve);
        using var theirs = ECDiffieHellman.Create(recipientParameters);
        var z = ephemeral.DeriveRawSecretAgreement(theirs.PublicKey);
        var epk = ephemeral.ExportParameters(false);
        var header = new Dictionary<string, object?>
        {
            ["alg"] = alg,
            ["enc"] = enc,
            ["cty"] = "JWT",
            ["epk"] = new Dictionary<string, string>
            {
                ["kty"] = "EC",
                ["crv"] = CurveName(recipientParameters.Curve),
                ["x"] = Base64UrlEncoder.Encode(epk.Q.X),
                ["y"] = Base64UrlEncoder.Encode(epk.Q.Y),
            },
        };
        if (recipient.KeyId is { } kid)
        {
            header["kid"] = kid;
        }

        var protectedHeader = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(header));
        var cek = RandomNumberGenerator.GetBytes(ContentKeyLength(enc));
        var wrapped = Wrap(ConcatKdf(z, alg, [], [], wrapBits), cek);
        var (iv, ciphertext, tag) = EncryptContent(enc, cek, Encoding.ASCII.GetBytes(protectedHeader), Encoding.UTF8.GetBytes(plaintext));
        return string.Join('.', protectedHeader, Base64UrlEncoder.Encode(wrapped), Base64UrlEncoder.Encode(iv), Base64UrlEncoder.Encode(ciphertext), Base64UrlEncoder.Encode(tag));
    }

    private static SecurityTokenDecryptionFailedException Failed(string why) => new($"The ID token could not be decrypted: {why}.");

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Failed($"its header has no {name}");

    private static byte[] Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.GetString() is { } text ? Base64UrlEncoder.DecodeBytes(text) : [];

    private static int WrapBits(string alg) => alg switch
    {
        "ECDH-ES+A128KW" => 128,
        "ECDH-ES+A192KW" => 192,
        "ECDH-ES+A256KW" => 256,
        _ => throw Failed($"its key agreement {alg} is not supported (ECDH-ES+A128KW, A192KW or A256KW)"),
    };

    private static int ContentKeyLength(string enc) => enc switch
    {
        "A128GCM" => 16,
        "A192GCM" => 24,
        "A256GCM" => 32,
        "A128CBC-HS256" => 32,
        "A192CBC-HS384" => 48,
        "A256CBC-HS512" => 64,
        _ => throw Failed($"its content encryption {enc} is not supported"),
    };

    private static ECCurve Curve(string crv) => crv switch
    {
        "P-256" => ECCurve.NamedCurves.nistP256,
        "P-384" => ECCurve.NamedCurves.nistP384,
        "P-521" => ECCurve.NamedCurves.nistP521,
        _ => throw Failed($"its curve {crv} is not supported"),
    };

    private static string CurveName(ECCurve curve) => curve.Oid.Value switch
    {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        _ => throw new ArgumentException("Only the P-256, P-384 and P-521 curves are supported.", nameof(curve)),
    };

    /// <summary>The Concat KDF of NIST SP 800-56A with SHA-256 (RFC 7518 §4.6.2), for a key of at most 256 bits.</summary>
    internal static byte[] ConcatKdf(byte[] z, string alg, byte[] apu, byte[] apv, int keyBits)
    {
        var algorithm = Encoding.ASCII.GetBytes(alg);
        using var buffer = new MemoryStream();
        var number = new byte[4];
        void Write32(int value)
        {
            BinaryPrimitives.WriteInt32BigEndian(number, value);
            buffer.Write(number);
        }

        Write32(1); // the round: one SHA-256 output covers every key size here
        buffer.Write(z);
        Write32(algorithm.Length);
        buffer.Write(algorithm);
        Write32(apu.Length);
        buffer.Write(apu);
        Write32(apv.Length);
        buffer.Write(apv);
        Write32(keyBits);
        return SHA256.HashData(buffer.ToArray())[..(keyBits / 8)];
    }

    /// <summary>AES key wrap (RFC 3394).</summary>
    internal static byte[] Wrap(byte[] kek, byte[] key)
    {
        using var aes = Aes.Create();
        aes.Key = kek;
        var n = key.Length / 8;
        var a = KeyWrapIv.ToArray();
        var r = key.ToArray();
        var block = new byte[16];
        for (var j = 0; j <= 5; j++)
        {
            for (var i = 1; i <= n; i++)
            {
                a.CopyTo(block, 0);
                Array.Copy(r, (i - 1) * 8, block, 8, 8);
                var b = aes.EncryptEcb(block, PaddingMode.None);
                Array.Copy(b, a, 8);
                Xor(a, (ulong)(n * j + i));
                Array.Copy(b, 8, r, (i - 1) * 8, 8);
            }
        }

        return [.. a, .. r];
    }

    /// <summary>AES key unwrap (RFC 3394), with its integrity check.</summary>
    internal static byte[] Unwrap(byte[] kek, byte[] wrapped)
    {
        if (wrapped.Length < 24 || wrapped.Length % 8 != 0)
        {
            throw Failed("its wrapped key has the wrong length");
        }

        using var aes = Aes.Create();
        aes.Key = kek;
        var n = wrapped.Length / 8 - 1;
        var a = wrapped[..8];
        var r = wrapped[8..];
        var block = new byte[16];
        for (var j = 5; j >= 0; j--)
        {
            for (var i = n; i >= 1; i--)
            {
                Xor(a, (ulong)(n * j + i));
                a.CopyTo(block, 0);
                Array.Copy(r, (i - 1) * 8, block, 8, 8);
                var b = aes.DecryptEcb(block, PaddingMode.None);
                Array.Copy(b, a, 8);
                Array.Copy(b, 8, r, (i - 1) * 8, 8);
            }
        }

        return CryptographicOperations.FixedTimeEquals(a, KeyWrapIv) ? r : throw Failed("its content key does not unwrap (wrong key, or altered)");
    }

    private static void Xor(byte[] a, ulong t)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, t);
        for (var k = 0; k < 8; k++)
        {
            a[k] ^= bytes[k];
        }
    }

    private static byte[] DecryptContent(string enc, byte[] cek, byte[] aad, byte[] iv, byte[] ciphertext, byte[] tag)
    {
        if (enc.EndsWith("GCM", StringComparison.Ordinal))
        {
            var plaintext = new byte[ciphertext.Length];
            using var gcm = new AesGcm(cek, tagSizeInBytes: 16);
            gcm.Decrypt(iv, ciphertext, tag, plaintext, aad);
            return plaintext;
        }

        var half = cek.Length / 2;
        var expected = CbcTag(cek[..half], aad, iv, ciphertext);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            throw Failed("its authentication tag does not match (altered, or the wrong key)");
        }

        using var aes = Aes.Create();
        aes.Key = cek[half..];
        return aes.DecryptCbc(ciphertext, iv, PaddingMode.PKCS7);
    }

    private static (byte[] Iv, byte[] Ciphertext, byte[] Tag) EncryptContent(string enc, byte[] cek, byte[] aad, byte[] plaintext)
    {
        if (enc.EndsWith("GCM", StringComparison.Ordinal))
        {
            var gcmIv = RandomNumberGenerator.GetBytes(12);
            var sealedText = new byte[plaintext.Length];
            var gcmTag = new byte[16];
            using var gcm = new AesGcm(cek, tagSizeInBytes: 16);
            gcm.Encrypt(gcmIv, plaintext, sealedText, gcmTag, aad);
            return (gcmIv, sealedText, gcmTag);
        }

        var half = cek.Length / 2;
        var iv = RandomNumberGenerator.GetBytes(16);
        using var aes = Aes.Create();
        aes.Key = cek[half..];
        var ciphertext = aes.EncryptCbc(plaintext, iv, PaddingMode.PKCS7);
        return (iv, ciphertext, CbcTag(cek[..half], aad, iv, ciphertext));
    }

    /// <summary>The tag of AES-CBC with HMAC-SHA2 (RFC 7518 §5.2.2): HMAC of AAD, IV, ciphertext and AAD's bit length, first half.</summary>
    private static byte[] CbcTag(byte[] macKey, byte[] aad, byte[] iv, byte[] ciphertext)
    {
        var al = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(al, (ulong)aad.Length * 8);
        byte[] input = [.. aad, .. iv, .. ciphertext, .. al];
        var mac = macKey.Length switch
        {
            16 => HMACSHA256.HashData(macKey, input),
            24 => HMACSHA384.HashData(macKey, input),
            _ => HMACSHA512.HashData(macKey, input),
        };
        return mac[..macKey.Length];
    }
}
