using System.Text.Json.Serialization;

namespace Study.Settings;

[JsonConverter(typeof(JsonStringEnumConverter<EncoderKind>))]
public enum EncoderKind
{
    [JsonStringEnumMemberName("cnn-small")] CnnSmall,
    [JsonStringEnumMemberName("resnet18")] ResNet18,
}
