# bench_train: one training step of the learned drum model (train/) and its decode through the
# engine's TorchScript path; tools/bench/train_peer.py times the same step in python3-torch.
if(TARGET latentjam_train)
  add_executable(bench_train ${CMAKE_CURRENT_LIST_DIR}/bench_train.cpp)
  target_compile_options(bench_train PRIVATE -Wno-unused-parameter)
  target_link_libraries(bench_train PRIVATE latentjam_models_torch ${TORCH_LIBRARIES}
                                            benchmark::benchmark)
  target_compile_definitions(bench_train PRIVATE LATENTJAM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
