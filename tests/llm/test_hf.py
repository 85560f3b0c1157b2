from gigacluster.catalog import get_model
from gigacluster.llm.counts import param_counts
from gigacluster.llm.hf import from_hf_config


def test_deepseek_v3_style_config_gives_mla_moe_matching_the_catalog() -> None:
    cfg = {"architectures": ["DeepseekV3ForCausalLM"], "num_hidden_layers": 61, "hidden_size": 7168,
           "num_attention_heads": 128, "num_key_value_heads": 128, "intermediate_size": 18432,
           "moe_intermediate_size": 2048, "n_routed_experts": 256, "n_shared_experts": 1,
           "num_experts_per_tok": 8, "first_k_dense_replace": 3, "vocab_size": 129280, "q_lora_rank": 1536,
           "kv_lora_rank": 512, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128,
           "hidden_act": "silu", "tie_word_embeddings": False}
    spec = from_hf_config(cfg)
    assert spec.attention == "mla" and spec.is_moe and spec.n_moe_layers == 58
    assert abs(param_counts(spec).total / param_counts(get_model("deepseek-v3")).total - 1) < 1e-6


def test_mixtral_and_qwen3_moe_styles() -> None:
    mixtral = from_hf_config({"model_type": "mixtral", "num_hidden_layers": 32, "hidden_size": 4096,
                              "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336,
                              "num_local_experts": 8, "num_experts_per_tok": 2, "vocab_size": 32000})
    assert mixtral.moe_experts == 8 and mixtral.moe_ffn_hidden == 14336 and mixtral.attention == "gqa"
    assert abs(param_counts(mixtral).total / 46.7e9 - 1) < 0.02
    qwen = from_hf_config({"model_type": "qwen3_moe", "num_hidden_layers": 48, "hidden_size": 2048,
                           "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128,
                           "intermediate_size": 6144, "moe_intermediate_size": 768, "num_experts": 128,
                           "num_experts_per_tok": 8, "vocab_size": 151936})
    assert abs(param_counts(qwen).total / 30.5e9 - 1) < 0.03
