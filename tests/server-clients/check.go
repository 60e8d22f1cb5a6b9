// Go against a running `bert-embed serve --api-key k`, with nothing but Go's standard library (net/http,
// encoding/json, encoding/base64): what a Go service that calls TEI or OpenAI's embeddings API without an SDK
// sends and reads, and how Go's SDKs decode the answers (go-openai and openai-go read `data[].embedding` into
// []float32 or []float64 and decode base64 as little-endian float32; they could not be fetched here, this machine
// reaches no Go module proxy). Each vector is compared bit for bit with the in-process one (`bert-embed embed`, a
// JVM of its own). Exits 1 if any check fails.
// Usage: go run check.go URL   (run by run.sh)
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"strings"
)

var url string
var failures []string

func check(what string, ok bool, detail ...any) {
	if ok {
		fmt.Println("ok   " + what)
		return
	}
	fmt.Println("FAIL "+what, fmt.Sprint(detail...))
	failures = append(failures, what)
}

// post sends body as JSON with the given key (none if empty) and returns the status, the headers and the body.
func post(path, key string, body any) (int, http.Header, []byte) {
	raw, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest("POST", url+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func get(path string) (int, []byte) {
	req, _ := http.NewRequest("GET", url+path, nil)
	req.Header.Set("Authorization", "Bearer k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// The OpenAI response as Go's SDKs declare it: float32 values, or a base64 string in the same field.
type openAIList struct {
	Object string `json:"object"`
	Data   []struct {
		Object    string          `json:"object"`
		Index     int             `json:"index"`
		Embedding json.RawMessage `json:"embedding"`
	} `json:"data"`
	Model string `json:"model"`
	Usage struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

type openAIError struct {
	Error *struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    any     `json:"code"`
	} `json:"error"`
}

type teiError struct {
	Error     string `json:"error"`
	ErrorType string `json:"error_type"`
}

func floats(raw json.RawMessage) []float32 {
	var v []float32
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil
	}
	return v
}

// fromBase64 decodes as go-openai's Base64Embedding does: standard base64, little-endian float32.
func fromBase64(raw json.RawMessage) []float32 {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b)%4 != 0 {
		return nil
	}
	v := make([]float32, len(b)/4)
	if binary.Read(bytes.NewReader(b), binary.LittleEndian, v) != nil {
		return nil
	}
	return v
}

// same is bit for bit: every float32's bits equal.
func same(a, b []float32) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func main() {
	url = strings.TrimSuffix(os.Args[1], "/")
	texts := []string{"a fox", "héllo wörld 😀", "日本語のテキストです", "The quick brown fox jumps over the lazy dog."}
	out, err := exec.Command("java", append([]string{"-jar", "target/bert-embed.jar", "embed", "--model",
		"all-minilm-l6-v2"}, texts...)...).Output()
	if err != nil {
		panic(err)
	}
	var ref [][]float32
	var refTokens []int
	lines := bufio.NewScanner(bytes.NewReader(out))
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for lines.Scan() {
		if strings.TrimSpace(lines.Text()) == "" {
			continue
		}
		var line struct {
			Embedding []float32 `json:"embedding"`
			Tokens    int       `json:"tokens"`
		}
		if err := json.Unmarshal(lines.Bytes(), &line); err != nil {
			panic(err)
		}
		ref = append(ref, line.Embedding)
		refTokens = append(refTokens, line.Tokens)
	}
	if len(ref) != len(texts) {
		panic(fmt.Sprintf("bert-embed embed printed %d vectors for %d texts", len(ref), len(texts)))
	}
	fmt.Println("go", runtime.Version(), "standard library only")

	// OpenAI: float, base64, token ids, dimensions, usage, headers
	status, hdr, body := post("/v1/embeddings", "k", map[string]any{"input": texts, "model": "all-minilm-l6-v2",
		"encoding_format": "float"})
	var list openAIList
	json.Unmarshal(body, &list)
	ok := status == 200 && len(list.Data) == len(texts) && list.Object == "list"
	for i := 0; ok && i < len(texts); i++ {
		ok = list.Data[i].Object == "embedding" && list.Data[i].Index == i && same(floats(list.Data[i].Embedding), ref[i])
	}
	check("openai float = in-process, as []float32", ok, status, string(body[:min(len(body), 200)]))
	total := 0
	for _, t := range refTokens {
		total += t
	}
	check("openai usage = tokens in-process", list.Usage.PromptTokens == total && list.Usage.TotalTokens == total,
		list.Usage, refTokens)
	check("openai model echoed", list.Model == "all-minilm-l6-v2", list.Model)
	check("TEI's x-compute-tokens header", hdr.Get("X-Compute-Tokens") == fmt.Sprint(total), hdr)

	status, _, body = post("/v1/embeddings", "k", map[string]any{"input": texts, "model": "all-minilm-l6-v2",
		"encoding_format": "base64"})
	list = openAIList{}
	json.Unmarshal(body, &list)
	ok = status == 200 && len(list.Data) == len(texts)
	for i := 0; ok && i < len(texts); i++ {
		ok = same(fromBase64(list.Data[i].Embedding), ref[i])
	}
	check("openai base64 = in-process, little-endian float32", ok, status)

	// Go's float64 decoding (openai-go declares []float64): each value widened from the float32 exactly.
	var wide struct {
		Data []struct {
			Embedding []float64 `json:"embedding"`
		} `json:"data"`
	}
	_, _, body = post("/v1/embeddings", "k", map[string]any{"input": "a fox", "model": "all-minilm-l6-v2"})
	json.Unmarshal(body, &wide)
	ok = len(wide.Data) == 1 && len(wide.Data[0].Embedding) == len(ref[0])
	for i := 0; ok && i < len(ref[0]); i++ {
		ok = float32(wide.Data[0].Embedding[i]) == ref[0][i]
	}
	check("openai float as []float64 rounds back to in-process", ok)

	status, _, body = post("/v1/embeddings", "k", map[string]any{"input": [][]int{{101, 1037, 4419, 102}}, "model": "all-minilm-l6-v2"})
	list = openAIList{}
	json.Unmarshal(body, &list)
	check("openai token ids [[CLS] a fox [SEP]] = the text's vector", status == 200 && len(list.Data) == 1 &&
		same(floats(list.Data[0].Embedding), ref[0]), status)

	_, _, body = post("/v1/embeddings", "k", map[string]any{"input": "a fox", "model": "all-minilm-l6-v2", "dimensions": 128})
	list = openAIList{}
	json.Unmarshal(body, &list)
	cut := floats(list.Data[0].Embedding)
	var norm float64
	for _, x := range ref[0][:128] {
		norm += float64(x) * float64(x)
	}
	norm = math.Sqrt(norm)
	diff := 0.0
	for i := 0; i < len(cut) && i < 128; i++ {
		diff = math.Max(diff, math.Abs(float64(cut[i])-float64(ref[0][i])/norm))
	}
	check("openai dimensions=128: the first 128 values re-normalized", len(cut) == 128 && diff < 1e-6, len(cut), diff)

	// OpenAI's error object for each refusal
	for _, c := range []struct {
		name   string
		input  any
		status int
	}{{"empty", []string{}, 400}, {"too long", strings.Repeat("word ", 400), 413}, {"wrong type", []any{map[string]int{"a": 1}}, 422}} {
		status, _, body = post("/v1/embeddings", "k", map[string]any{"input": c.input, "model": "all-minilm-l6-v2"})
		var e openAIError
		err := json.Unmarshal(body, &e)
		check("openai "+c.name+" refused with OpenAI's error object", status == c.status && err == nil && e.Error != nil &&
			e.Error.Message != "" && e.Error.Type != "" && bytes.Contains(body, []byte(`"param"`)) &&
			bytes.Contains(body, []byte(`"code"`)), status, string(body))
	}
	status, _, body = post("/v1/embeddings", "wrong", map[string]any{"input": "a", "model": "all-minilm-l6-v2"})
	var e openAIError
	json.Unmarshal(body, &e)
	check("openai wrong key refused: 401, OpenAI's error object", status == 401 && e.Error != nil, status, string(body))
	status, _, body = post("/v1/embeddings", "", map[string]any{"input": "a", "model": "all-minilm-l6-v2"})
	check("openai no key refused: 401", status == 401, status, string(body))

	status, body = get("/v1/models")
	var models struct {
		Object string `json:"object"`
		Data   []struct {
			ID     string `json:"id"`
			Object string `json:"object"`
		} `json:"data"`
	}
	json.Unmarshal(body, &models)
	check("openai models list", status == 200 && models.Object == "list" && len(models.Data) == 1 &&
		models.Data[0].ID == "all-minilm-l6-v2" && models.Data[0].Object == "model", string(body))

	// TEI: /embed with one string and a list, /embed_all, /tokenize, /similarity, /info, errors
	status, _, body = post("/embed", "k", map[string]any{"inputs": "a fox"})
	var vecs [][]float32
	json.Unmarshal(body, &vecs)
	check("TEI /embed one string = [[in-process]]", status == 200 && len(vecs) == 1 && same(vecs[0], ref[0]), status)
	status, _, body = post("/embed", "k", map[string]any{"inputs": texts, "normalize": true, "truncate": true,
		"truncation_direction": "Right"})
	vecs = nil
	json.Unmarshal(body, &vecs)
	ok = status == 200 && len(vecs) == len(texts)
	for i := 0; ok && i < len(texts); i++ {
		ok = same(vecs[i], ref[i])
	}
	check("TEI /embed list, normalize/truncate = in-process", ok, status)

	status, _, body = post("/embed_all", "k", map[string]any{"inputs": "a fox"})
	var tokens [][][]float32
	json.Unmarshal(body, &tokens)
	check("TEI /embed_all: one vector a token", status == 200 && len(tokens) == 1 && len(tokens[0]) == refTokens[0] &&
		len(tokens[0][0]) == len(ref[0]), status)

	status, _, body = post("/tokenize", "k", map[string]any{"inputs": "a fox"})
	var toks [][]struct {
		ID      int    `json:"id"`
		Text    string `json:"text"`
		Special bool   `json:"special"`
		Start   *int   `json:"start"`
		Stop    *int   `json:"stop"`
	}
	json.Unmarshal(body, &toks)
	var ids []int
	if len(toks) == 1 {
		for _, t := range toks[0] {
			ids = append(ids, t.ID)
		}
	}
	check("TEI /tokenize ids", status == 200 && reflect.DeepEqual(ids, []int{101, 1037, 4419, 102}) &&
		toks[0][0].Special && !toks[0][1].Special && toks[0][2].Text == "fox", string(body))

	status, _, body = post("/similarity", "k", map[string]any{"inputs": map[string]any{
		"source_sentence": texts[0], "sentences": []string{texts[0], texts[3]}}})
	var sims []float32
	json.Unmarshal(body, &sims)
	check("TEI /similarity: itself ~1, another less", status == 200 && len(sims) == 2 && math.Abs(float64(sims[0])-1) < 1e-5 &&
		sims[1] < sims[0], string(body))

	status, body = get("/info")
	var info map[string]any
	json.Unmarshal(body, &info)
	check("TEI /info names the model and its limits", status == 200 && info["model_id"] == "all-minilm-l6-v2" &&
		info["max_input_length"] != nil && info["max_batch_tokens"] != nil, string(body))

	status, _, body = post("/embed", "k", map[string]any{"inputs": strings.Repeat("word ", 400), "truncate": false})
	var te teiError
	json.Unmarshal(body, &te)
	check("TEI too long refused: 413 naming the token count", status == 413 && strings.Contains(te.Error, "402") &&
		te.ErrorType != "", status, string(body))
	status, _, body = post("/embed", "k", map[string]any{"inputs": 5})
	te = teiError{}
	json.Unmarshal(body, &te)
	check("TEI wrong type refused: 422, TEI's error shape", status == 422 && te.Error != "" && te.ErrorType != "",
		status, string(body))

	if len(failures) > 0 {
		fmt.Println(len(failures), "failed:", failures)
		os.Exit(1)
	}
	fmt.Println("all checks passed")
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
