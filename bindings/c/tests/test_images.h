/*
 * The C test's checks of ae_denoise_image and ae_inpaint_image, included by test_autoencoder.c
 * (one program, so its valgrind and sanitizer runs cover these too). IMAGE is a 4x5x1 image
 * model (fixtures.sh: the fixture rows given --image-shape 4x5); FLAT a model of flat rows.
 */
#ifndef AE_TEST_IMAGES_H
#define AE_TEST_IMAGES_H

static void test_images(const char *image_path, const char *flat_path) {
  ae_model *model = NULL, *flat = NULL;
  CHECK(ae_model_open(image_path, &model) == AE_OK, "open the image model %s", image_path);
  CHECK(ae_model_open(flat_path, &flat) == AE_OK, "open %s", flat_path);
  if (!model || !flat) return;
  size_t shape[3] = {0, 0, 0};
  CHECK(ae_model_input_shape(model, shape) == AE_OK && shape[0] == 4 && shape[1] == 5 && shape[2] == 1,
        "image model shape %zux%zux%zu", shape[0], shape[1], shape[2]);

  /* An image of exactly one tile comes out as ae_reconstruct gives it. */
  enum { H = 9, W = 13, C = 3 };
  float tile[20], plain[20], tiled[20];
  for (int i = 0; i < 20; i++) tile[i] = (float)(i % 7) - 2.5f;
  CHECK(ae_reconstruct(model, tile, 1, plain) == AE_OK, "reconstruct one tile");
  CHECK(ae_denoise_image(model, NULL, tile, 4, 5, 1, tiled) == AE_OK, "denoise one tile");
  CHECK(same(plain, tiled, 20), "one tile: denoise == reconstruct");

  /* A bigger image, grey and RGB, with and without a workspace; RGB is channel by channel. */
  float *grey = malloc(H * W * sizeof(float)), *rgb = malloc(H * W * C * sizeof(float));
  float *out = malloc(H * W * C * sizeof(float)), *out_ws = malloc(H * W * C * sizeof(float));
  float *grey_out = malloc(H * W * sizeof(float));
  for (int i = 0; i < H * W; i++) {
    grey[i] = (float)((i * 37) % 11) - 3.0f;
    for (int c = 0; c < C; c++) rgb[i * C + c] = c == 1 ? grey[i] : (float)c - 1.0f;
  }
  CHECK(ae_denoise_image(model, NULL, grey, H, W, 1, grey_out) == AE_OK, "denoise grey");
  CHECK(all_finite(grey_out, H * W), "denoised values are finite");
  ae_workspace *workspace = NULL, *other_workspace = NULL;
  CHECK(ae_workspace_create(model, 2, &workspace) == AE_OK, "a workspace of 2 rows");
  CHECK(ae_denoise_image(model, workspace, rgb, H, W, C, out_ws) == AE_OK, "denoise rgb on a workspace");
  CHECK(ae_denoise_image(model, NULL, rgb, H, W, C, out) == AE_OK, "denoise rgb");
  CHECK(max_relative_difference(out, out_ws, H * W * C) < 1e-4, "a workspace gives the same image");
  float gap = 0;
  for (int i = 0; i < H * W; i++) gap = fmaxf(gap, fabsf(out[i * C + 1] - grey_out[i]));
  CHECK(gap < 1e-4f, "rgb's green channel is the grey image denoised alone (gap %g)", gap);

  /* Inpainting keeps the known pixels bit for bit; missing ones may be NaN. */
  unsigned char mask[H * W];
  float *image = malloc(H * W * sizeof(float));
  for (int i = 0; i < H * W; i++) {
    mask[i] = (unsigned char)(i % 4 != 0);
    image[i] = mask[i] ? grey[i] : NAN;
  }
  CHECK(ae_inpaint_image(model, workspace, image, mask, H, W, 1, 5, grey_out) == AE_OK, "inpaint");
  int kept = 1;
  for (int i = 0; i < H * W; i++) kept &= mask[i] ? grey_out[i] == grey[i] : isfinite(grey_out[i]);
  CHECK(kept, "known pixels kept exactly, missing ones filled");

  /* Every refusal is a status and a message. */
  CHECK(ae_denoise_image(NULL, NULL, grey, H, W, 1, out) == AE_ERROR_INVALID_ARGUMENT, "NULL model");
  CHECK(ae_denoise_image(model, NULL, NULL, H, W, 1, out) == AE_ERROR_INVALID_ARGUMENT, "NULL pixels");
  CHECK(ae_denoise_image(model, NULL, grey, H, W, 1, NULL) == AE_ERROR_INVALID_ARGUMENT, "NULL out");
  CHECK(ae_denoise_image(model, NULL, grey, 0, W, 1, out) == AE_ERROR_INVALID_ARGUMENT, "height 0");
  CHECK(ae_denoise_image(model, NULL, grey, SIZE_MAX, W, 1, out) == AE_ERROR_OVERFLOW, "height SIZE_MAX");
  CHECK(ae_denoise_image(model, NULL, grey, SIZE_MAX / 2, SIZE_MAX / 2, 1, out) == AE_ERROR_OVERFLOW, "size overflow");
  CHECK(ae_denoise_image(flat, NULL, grey, H, W, 1, out) == AE_ERROR_UNSUPPORTED && strstr(ae_last_error(), "not images"),
        "a model of flat rows: %s", ae_last_error());
  CHECK(ae_workspace_create(flat, 2, &other_workspace) == AE_OK, "a workspace of the flat model");
  CHECK(ae_denoise_image(model, other_workspace, grey, H, W, 1, out) == AE_ERROR_WORKSPACE, "another model's workspace");
  ae_workspace_free(other_workspace);
  grey[17] = NAN;
  CHECK(ae_denoise_image(model, NULL, grey, H, W, 1, out) == AE_ERROR_NON_FINITE && strstr(ae_last_error(), "row 1, column 4"),
        "NaN pixel: %s", ae_last_error());
  CHECK(ae_inpaint_image(model, NULL, image, NULL, H, W, 1, 5, out) == AE_ERROR_INVALID_ARGUMENT, "NULL mask");
  CHECK(ae_inpaint_image(model, NULL, image, mask, H, W, 1, -1, out) == AE_ERROR_INVALID_ARGUMENT, "iterations -1");
  CHECK(ae_inpaint_image(model, NULL, image, mask, H, W, 1, 100001, out) == AE_ERROR_INVALID_ARGUMENT, "iterations 100001");
  memset(mask, 0, sizeof mask);
  CHECK(ae_inpaint_image(model, NULL, image, mask, H, W, 1, 5, out) == AE_ERROR_INVALID_ARGUMENT &&
        strstr(ae_last_error(), "no pixel as known"), "no known pixel: %s", ae_last_error());
  CHECK(ae_denoise_image(model, NULL, tile, 4, 5, 1, tiled) == AE_OK && strcmp(ae_last_error(), "") == 0,
        "success empties the last error");

  ae_workspace_free(workspace);
  free(grey);
  free(rgb);
  free(out);
  free(out_ws);
  free(grey_out);
  free(image);
  ae_model_close(model);
  ae_model_close(flat);
}

#endif
