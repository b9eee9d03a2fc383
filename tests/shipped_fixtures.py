"""How many fixtures the repository ships, one term per session that added some, each named: the expected
count both the schema test (every file validates) and the fixtures tool's (every one re-proves) read."""

SHIPPED_FIXTURES = (
    33  # chapters 5 and earlier
    + 3  # the mutation sweep
    + 11  # dlfs-advanced
    + 9  # stage cases
    + 9  # dezero steps 20-24
    + 7  # the dezero stages step19-step22 (two step-19 units, mul-unit, four operator graphs)
    + 1  # ndarray-left-graph (step 21)
    + 2  # TwoLayerNet's predict and accuracy
    + 7  # the shared machinery (DeZero Variable/Function 5, MiniFlow Node/Input 2)
    + 2  # dlfs-advanced's SimpleConvNet gradient and BatchNormalization running statistics
    + 1  # MiniFlow's Linear quiz (stage linear)
    + 1  # DeZero's step-9 composite (stage step10)
    + 2  # DeZero's steps 7-8: the composite and a chain, each with y.grad set by hand (stage step08)
    + 1  # MiniFlow's Add quiz (stage add)
    + 9  # DeZero steps 27 to 35: Sin, Rosenbrock, create_graph, Cos, Tanh
    + 14  # DeZero steps 37 to 42: reshape, transpose, sum, broadcast_to, sum_to, broadcasting, matmul, MSE
    + 3  # DeZero steps 2, 3 and 12, forward only
    + 5  # Variable's reshape, transpose, T and sum
    + 1  # DeZero step 11: Add()([x0, x1]) over a list
    + 3  # DeZero step 43: Linear, Sigmoid, the two-layer network
    + 2  # DeZero step 19's no_grad and diamond applying add() alone
    + 1  # step 40's Sum over axis 1 (the mutation sweep of the later steps)
    + 2  # DeZero step 44: the Layer Linear and its cleargrads
    + 2  # step 46: SGD and MomentumSGD
    + 2  # DeZero step 45: MLP and its cleargrads
    + 1  # step 46: SGD over an MLP
    + 1  # DeZero step 1: Variable(np.array(1.0)).data
    + 1  # step 46: MomentumSGD over an MLP
    + 1  # dlfs-advanced: SimpleConvNet at pad 1 and stride 2
    + 2  # dlfs-advanced: Convolution and Pooling on a 7x10 input with a 3x2 window (session 20)
    + 1  # MiniFlow's cost quiz: MSE with y fed flat beside a column (session 20)
    + 7  # dlfs-advanced: chapter 6's optimizers, one case each and the grads-order case (session 21)
    + 1  # DeZero step 40: SumTo over a leading axis, (2, 3) to (3,) (session 21)
    + 1  # dlfs-advanced: Pooling with a 3x2 window at stride 1 (the mutation sweep, session 21)
    + 3  # dlfs-advanced: chapter 6's MultiLayerNet, relu and sigmoid, weight decay 0 and 0.1 (session 22)
    + 1  # dlfs-advanced: MultiLayerNet of three hidden layers (review of s22-adv, finding 5)
    + 2  # dlfs-advanced: chapter 6's MultiLayerNetExtend with batch normalization (session 23)
    + 2  # DeZero: a Layer call returning the Variable, an MLP of three layers (mutation sweep, session 22)
    + 6  # DeZero step 47: get_item, softmax, softmax_cross_entropy, two cases each (session 23)
    + 1  # DeZero step 36: z = gx ** 3 + y after y.backward(create_graph=True), x.grad 100 (session 23)
    + 2  # dlfs-layers: chapter 4's TwoLayerNet, its loss and its hand-written gradient (session 24)
    + 1  # MiniFlow stage add: an Add of an Add, add-nested (the mutation sweep, session 24)
    + 1  # dlfs-advanced: MultiLayerNetExtend with batch normalization and no weight decay (session 24)
    + 4  # DeZero steps 24 and 28: the step file's own sphere, matyas, goldstein, rosenbrock (session 29)
    + 6  # DeZero step 57: im2col, conv2d and pooling, two cases each (session 30)
    + 2  # DeZero step 50: accuracy, scores (6, 3) and square scores (4, 4) (session 31)
    + 2  # DeZero step 54: dropout while training after np.random.seed(5) and in test mode (session 31)
    + 6  # DeZero steps 59 and 60: RNN and LSTM over a sequence, reset_state, unchain_backward (session 32)
    + 2  # DeZero steps 49-50: Dataset and DataLoader, in order and shuffled (session 32)
    + 2  # DeZero step 53: save_weights and load_weights, a Linear's and an MLP's round trip (session 33)
)
