using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Nehr.Portal.Hosting.NationalIdentity;

namespace Nehr.Portal.Tests;

/// <summary>
/// The portal's JWE decryption (ID tokens encrypted to it with ECDH-ES+A*KW) against tokens made by an independent
/// implementation: the vectors below were made with the jose library for Node.js (5.10.0), one key pair each.
/// </summary>
public sealed class JweTests
{
    private sealed record Vector(string Curve, string D, string X, string Y, string Plaintext, string Jwe);

    private static readonly Dictionary<string, Vector> Vectors = new()
    {
        ["P-256, ECDH-ES+A256KW, A256CBC-HS512"] = new("P-256", "Co1hEaFOxFb-NEQME24GK-aMD0HdSC1j6phggvufAt4", "2USU5aS4B-Drc0TtEkToAtfyEFIHxNn3cOhS1tm4WSM", "dUkhQZbOwoV8Pj-K6qg0oEv8TVtluV9SL_Y5VSEIEmU", "eyJhbGciOiJFUzI1NiJ9.P-256-A256CBC-HS512.c2lnbmF0dXJl",
            "eyJhbGciOiJFQ0RILUVTK0EyNTZLVyIsImVuYyI6IkEyNTZDQkMtSFM1MTIiLCJjdHkiOiJKV1QiLCJraWQiOiJwb3J0YWwtZW5jIiwiZXBrIjp7IngiOiI5U1ZlelZCcnliT3NaZGI1c04yNFRNTHh5UzBRR053akRKSGwxVlhLMFUwIiwiY3J2IjoiUC0yNTYiLCJrdHkiOiJFQyIsInkiOiJEbzV6djU4MlVmS0NyZGI2SmUxMWZFVlhSb3FVdjEwYnlfZml3ei1QMDBrIn19.Ahsmp-MU6wON5STes--zIe6Rqk3GvnNHHpXsOceCl3gNcFTLF8wVSIboFDfmV6wfAMMpa-NGdDcuTicgaxqsZYDfL1GYYt7T.IyTEU4pL__psssKyJJgFTg.MyE32MgupqcjatwfKSpQx1Xn-MHZ506sbzfNmLLbuDkGuvcRkw32sda6Tt7qXEi7FvAP8kygxM5BZzEgCluyfg.ZwWaS_39MwNTdu4mNVT1BB-gcn1zjxXv1555tHV405U"),
        ["P-256, ECDH-ES+A256KW, A256GCM"] = new("P-256", "QCc7xxnGJ27sj4ShtQq6P63ibCWku5dHWKmXIszD5vA", "hLsWmfgEWnURA0rO5zTj8rfjQODWyyRWXU8j42r3GPo", "sQrj9yePx3cos_ZDJCR-DFz0pZfFgiI_ObMkw5aVaAk", "eyJhbGciOiJFUzI1NiJ9.P-256-A256GCM.c2lnbmF0dXJl",
            "eyJhbGciOiJFQ0RILUVTK0EyNTZLVyIsImVuYyI6IkEyNTZHQ00iLCJjdHkiOiJKV1QiLCJraWQiOiJwb3J0YWwtZW5jIiwiZXBrIjp7IngiOiJsRFVEa2xWNHU5LWdyMndBUkJCb20xa2p5bEpsUlpmXzgxVTFrNktOaFpnIiwiY3J2IjoiUC0yNTYiLCJrdHkiOiJFQyIsInkiOiJ3bUNVeXhmMm41OVZpRHRONTBLZ3hxUUFpSEZyQllGN3M2eEtwSU5pdGFNIn0sImFwdSI6IlUybHVaM0JoYzNNIiwiYXB2IjoiVGtWSVVnIn0.WNrVYCu5yjrtXJD63WpiOFoUh3bs5JTqMYmP6YPtmI0lFp1nR5JveQ.dONFRA2HIJazvbOo.UU_tUkGh_1L5YwsCV7CAeEfowPEMgC3ajF5p8UxTNx0C2U68psko--cJHbcPNDw.4NuNWs0hZSlNaBs6Bt3ddw"),
        ["P-384, ECDH-ES+A192KW, A128CBC-HS256"] = new("P-384", "zQOIp7aYfR39y8iQujped2R1nLLBD5qm-QHPkhswJtn-GRqZRM0WItJqDexwdhyc", "NjsJBE-mOj5LdfDhejgtB6Svp6gImW4W_7RzhCHxy8DAi0rYP4caARFNj3HCE3nP", "aySOU8tiBg3U5S1BJTcJAGfQo_nHF3t8pxbDW_WOCdubNdPCui1DxR84REsqitE7", "eyJhbGciOiJFUzI1NiJ9.P-384-A128CBC-HS256.c2lnbmF0dXJl",
            "eyJhbGciOiJFQ0RILUVTK0ExOTJLVyIsImVuYyI6IkExMjhDQkMtSFMyNTYiLCJjdHkiOiJKV1QiLCJraWQiOiJwb3J0YWwtZW5jIiwiZXBrIjp7IngiOiJXNnBaWE9HNkR4blB6czk1MEdyQ09OanlyMmliNWE5VmFhUlkyd1ZiT3BoSVRTdWEwUXZjRkZUei1tZmh3NjR6IiwiY3J2IjoiUC0zODQiLCJrdHkiOiJFQyIsInkiOiJUc0xUdmNqamtBYXJFdFptVENkSGlnX2s2U0VPS2MzWUh0ajAtR3ZqOExtZGNISk14Q2VCanhFb2MxWXQtYlNQIn19.hEypM4lk10KJlARP4V-WxHdMnIzi6Owzgrmyke2b-nkA5Z7EgMTkWw.YAyUTkyeL3ieJbnY_XTN0Q.1sW-3GRybNrpWRwf2LscWoPpJfodNoAOhL02tV54nbBJVOP6skljuj5X20icrzNx6L6_KAHTgpo0unIGoz_Pig._hbYAFdNZCFkP3vNvb_XVQ"),
    };

    public static TheoryData<string> VectorNames => [.. Vectors.Keys];

    private static ECDsaSecurityKey PrivateKey(Vector vector) => new(ECDsa.Create(new ECParameters
    {
        Curve = vector.Curve == "P-384" ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256,
        D = Base64UrlEncoder.DecodeBytes(vector.D),
        Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(vector.X), Y = Base64UrlEncoder.DecodeBytes(vector.Y) },
    }))
    {
        KeyId = "portal-enc",
    };

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void A_token_made_by_another_implementation_decrypts_to_its_plaintext(string name)
    {
        var vector = Vectors[name];

        Assert.Equal(vector.Plaintext, Jwe.Decrypt(vector.Jwe, [PrivateKey(vector)]));
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void A_token_altered_anywhere_or_offered_to_another_key_is_refused(string name)
    {
        var vector = Vectors[name];
        var parts = vector.Jwe.Split('.');
        for (var part = 1; part < 5; part++)
        {
            var bytes = Base64UrlEncoder.DecodeBytes(parts[part]);
            bytes[bytes.Length / 2] ^= 0x01;
            var altered = parts.ToArray();
            altered[part] = Base64UrlEncoder.Encode(bytes);
            Assert.Throws<SecurityTokenDecryptionFailedException>(() => Jwe.Decrypt(string.Join('.', altered), [PrivateKey(vector)]));
        }

        var stranger = new ECDsaSecurityKey(ECDsa.Create(vector.Curve == "P-384" ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256)) { KeyId = "portal-enc" };
        Assert.Throws<SecurityTokenDecryptionFailedException>(() => Jwe.Decrypt(vector.Jwe, [stranger]));
    }

    [Theory]
    [InlineData("A256CBC-HS512")]
    [InlineData("A256GCM")]
    public void What_the_development_provider_encrypts_the_portal_decrypts(string enc)
    {
        var key = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "k1" };
        var token = Jwe.Encrypt("header.payload.signature", NationalIdentityKeys.PublicOf(key), enc: enc);

        Assert.Equal(5, token.Split('.').Length);
        Assert.Equal("header.payload.signature", Jwe.Decrypt(token, [key]));
    }

    [Fact]
    public void A_signed_token_or_an_unsupported_key_agreement_is_not_taken_for_a_jwe()
    {
        var key = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        Assert.False(Jwe.IsJwe("a.b.c"));
        Assert.Throws<SecurityTokenDecryptionFailedException>(() => Jwe.Decrypt("a.b.c", [key]));
        var direct = Base64UrlEncoder.Encode("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}");
        var error = Assert.Throws<SecurityTokenDecryptionFailedException>(() => Jwe.Decrypt($"{direct}.AAAA.AAAA.AAAA.AAAA", [key]));
        Assert.Contains("RSA-OAEP is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aes_key_wrap_matches_rfc_3394_test_vector()
    {
        // RFC 3394 §4.6: 256-bit key data with a 256-bit KEK.
        var kek = Convert.FromHexString("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
        var data = Convert.FromHexString("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
        var wrapped = Convert.FromHexString("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21");

        Assert.Equal(wrapped, Jwe.Wrap(kek, data));
        Assert.Equal(data, Jwe.Unwrap(kek, wrapped));
    }
}
